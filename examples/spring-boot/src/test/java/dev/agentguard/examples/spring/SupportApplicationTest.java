package dev.agentguard.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/** The example does what the README shows: a few answers for a session, then 429 with the rule. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SupportApplicationTest {

    @Value("${local.server.port}")
    int port;

    @Test
    void theReadmesCurlHitsTheSessionBudget() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ask = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/chat"))
                .header("X-Session-Id", "s-1").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("Where is my order A-1042?")).build();
        int answered = 0;
        HttpResponse<String> r = http.send(ask, HttpResponse.BodyHandlers.ofString());
        while (r.statusCode() == 200 && answered < 20) {
            assertThat(r.body()).contains("shipped");
            answered++;
            r = http.send(ask, HttpResponse.BodyHandlers.ofString());
        }
        assertThat(answered).isBetween(1, 5);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).contains("\"rule\":\"budgets.session-10m\"");
    }
}
