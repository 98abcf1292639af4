package dev.agentguard.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Decision;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Action;
import dev.agentguard.langchain4j.GuardBlockedException;
import dev.agentguard.spring.AgentGuardAutoConfiguration;
import dev.agentguard.spring.AgentGuardModelsAutoConfiguration;
import dev.agentguard.spring.AgentGuardWebAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.codec.CodecsAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.HttpHandlerAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.WebFluxAutoConfiguration;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A WebFlux application: the handler sees the request's session, and a refusal is a 429 problem. */
class WebFluxProblemsTest {

    /** A handler that reports its scope, and one that is refused. */
    @RestController
    static class Handlers {
        @GetMapping("/who")
        String who() {
            return GuardScope.current().session();
        }

        @GetMapping("/refused")
        String refused() {
            throw new GuardBlockedException("starter-test", "model call to gpt-4o", Decision.builder(Action.BLOCK)
                    .rule("budgets.session-1h").reason("session s-7 would pass its limit").build());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        Handlers handlers() {
            return new Handlers();
        }
    }

    @Test
    void theScopeAndTheProblemOnWebFlux() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
                        WebFluxAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
                        AgentGuardAutoConfiguration.class, AgentGuardModelsAutoConfiguration.class,
                        AgentGuardWebAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withPropertyValues("agent-guard.policy=classpath:policies/test.yaml")
                .run(ctx -> {
                    WebTestClient client = WebTestClient.bindToApplicationContext(ctx).build();
                    client.get().uri("/who").header("X-Session-Id", "s-7").exchange().expectStatus().isOk()
                            .expectBody(String.class).isEqualTo("s-7");
                    client.get().uri("/refused").header("X-Session-Id", "s-7").exchange()
                            .expectStatus().isEqualTo(429)
                            .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                            .expectBody(String.class).consumeWith(r -> assertThat(r.getResponseBody())
                                    .contains("\"rule\":\"budgets.session-1h\"")
                                    .contains("\"detail\":\"session s-7 would pass its limit\""));
                    client.get().uri("/who").header("X-Session-Id", "bad value").exchange()
                            .expectStatus().isBadRequest();
                    assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
                });
    }
}
