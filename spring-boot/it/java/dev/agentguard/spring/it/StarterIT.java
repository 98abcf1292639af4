package dev.agentguard.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.Guard;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.model.chat.ChatModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The starter in a real application on a real server: HTTP request with a session header, REST controller, AI service
 * with a tool, guarded model, the OpenAI client over HTTP to the simulator; once the session's budget is spent the
 * answer is a 429 problem with the rule and the reason. The actuator endpoint and health are read over HTTP too.
 */
@SpringBootTest(classes = ItApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StarterIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    @Value("${local.server.port}")
    int port;

    @Autowired
    Guard guard;

    @Autowired
    ChatModel chatModel;

    @Autowired
    org.springframework.context.ApplicationContext context;

    @Test
    void aSessionIsAnsweredUntilItsBudgetIsSpentThenRefusedWithAProblem() throws Exception {
        System.out.println("Spring Boot " + SpringBootVersion.getVersion());
        assertThat(chatModel).isInstanceOf(GuardedChatModel.class);

        int answered = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            HttpResponse<String> r = chat("budget-1", "Where is my order A-1042?");
            if (r.statusCode() == 200) {
                assertThat(r.body()).isEqualTo("Your order has shipped.");
                answered++;
            } else {
                refused = r;
            }
        }
        assertThat(answered).as("requests answered before the budget ran out").isGreaterThanOrEqualTo(1);
        assertThat(refused).as("a refusal within 20 requests").isNotNull();
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.path("status").asInt()).isEqualTo(429);
        assertThat(problem.path("rule").asText()).isEqualTo("budgets.session-10m");
        assertThat(problem.path("action").asText()).isEqualTo("block");
        assertThat(problem.path("detail").asText()).contains("budget-1");
        assertThat(problem.path("guard").asText()).isEqualTo("it");

        // the budget is the session's: another session is still answered
        assertThat(chat("budget-2", "Where is my order A-1042?").statusCode()).isEqualTo(200);

        // the endpoint shows the refusal and the session's key
        JsonNode overview = JSON.readTree(get("/actuator/agentguard").body());
        assertThat(overview.path("guard").asText()).isEqualTo("it");
        assertThat(overview.path("recentRefusals").findValuesAsText("rule")).contains("budgets.session-10m");
        JsonNode key = JSON.readTree(get("/actuator/agentguard/session-10m/budget-1").body());
        assertThat(key.path("limit").asText()).isEqualTo("0.001");
        assertThat(key.path("fill").decimalValue()).isPositive();
    }

    @Test
    void anOperatorStopsASessionThroughTheEndpoint() throws Exception {
        assertThat(chat("stop-1", "Where is my order A-1042?").statusCode()).isEqualTo(200);
        HttpResponse<String> stop = http.send(HttpRequest.newBuilder(uri("/actuator/agentguard/stop"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"session\":\"stop-1\",\"reason\":\"abuse report\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stop.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(stop.body()).path("changed").asBoolean()).isTrue();

        HttpResponse<String> refused = chat("stop-1", "And now?");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).path("rule").asText()).isEqualTo("admin.stop");
        assertThat(guard.admin().stoppedSessions()).contains("stop-1");

        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(uri("/actuator/agentguard/lift"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"budget\":\"nope\",\"key\":\"k\",\"reason\":\"r\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    @Test
    void concurrentRequestsAreEachChargedToTheirOwnSession() throws Exception {
        int sessions = 16;
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Integer>>> statuses = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                String session = "race-" + i;
                statuses.add(pool.submit(() -> {
                    start.await();
                    List<Integer> codes = new ArrayList<>();
                    for (int n = 0; n < 2; n++) {
                        codes.add(chat(session, "Where is my order A-1042?").statusCode());
                    }
                    return codes;
                }));
            }
            start.countDown();
            for (Future<List<Integer>> f : statuses) {
                assertThat(f.get(60, TimeUnit.SECONDS)).containsExactly(200, 200);
            }
        } finally {
            pool.shutdownNow();
        }
        // every session asked the same twice, on threads shared with the others: each is charged exactly the same
        Set<String> used = new HashSet<>();
        for (int i = 0; i < sessions; i++) {
            JsonNode key = JSON.readTree(get("/actuator/agentguard/session-10m/race-" + i).body());
            assertThat(key.path("reserved").asText()).isEqualTo("0.00");
            used.add(key.path("used").asText());
        }
        assertThat(used).hasSize(1).doesNotContain("0.00");
    }

    @Test
    void healthAndABadSessionHeader() throws Exception {
        JsonNode health = JSON.readTree(get("/actuator/health").body());
        assertThat(health.path("status").asText()).isEqualTo("UP");
        JsonNode guardHealth = health.path("components").path("agentguard");
        assertThat(guardHealth.path("status").asText()).isEqualTo("UP");
        assertThat(guardHealth.path("details").path("guard").asText()).isEqualTo("it");
        assertThat(guardHealth.path("details").path("ledger.reachable").asBoolean()).isTrue();

        // the guard's meters are in the actuator's registry (the binding ran after the registry's auto-configuration)
        HttpResponse<String> meter = get("/actuator/metrics/agentguard.reservations.open");
        assertThat(meter.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(meter.body()).path("availableTags").findValuesAsText("tag")).contains("guard");

        // the indicator of this Boot generation, and only it, was configured
        String major = SpringBootVersion.getVersion().substring(0, 1);
        assertThat(context.getBean("agentguardHealthIndicator").getClass().getSimpleName())
                .isEqualTo("Boot" + major + "HealthIndicator");

        HttpResponse<String> bad = chat("not a session; " + "x".repeat(200), "hello");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("header").asText()).isEqualTo("X-Session-Id");
    }

    private HttpResponse<String> chat(String session, String message) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri("/chat")).header("X-Session-Id", session)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(message)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
