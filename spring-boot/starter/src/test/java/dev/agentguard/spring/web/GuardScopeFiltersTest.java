package dev.agentguard.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.GuardScope;
import dev.agentguard.spring.AgentGuardProperties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

/** The servlet and the WebFlux filter bind the request's scope for the handler, and unbind it after. */
class GuardScopeFiltersTest {

    private final RequestScopes scopes = new RequestScopes(new AgentGuardProperties.Web(), null);

    @Test
    void theServletFilterBindsTheScopeForTheChainOnly() throws Exception {
        AtomicReference<GuardScope> seen = new AtomicReference<>();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/chat");
        request.addHeader("X-Session-Id", "s-1");
        request.setUserPrincipal(() -> "alice");
        new GuardScopeFilter(scopes, 0).doFilter(request, new MockHttpServletResponse(),
                new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected void service(jakarta.servlet.http.HttpServletRequest req,
                            jakarta.servlet.http.HttpServletResponse res) {
                        seen.set(GuardScope.current());
                    }
                }));
        assertThat(seen.get().session()).isEqualTo("s-1");
        assertThat(seen.get().user()).isEqualTo("alice");
        assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
    }

    @Test
    void theServletFilterAnswersABadHeaderWithAProblem() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/chat");
        request.addHeader("X-Session-Id", "<script>");
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        new GuardScopeFilter(scopes, 0).doFilter(request, response, chain);
        assertThat(chain.getRequest()).as("the handler never runs").isNull();
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        JsonNode body = new ObjectMapper().readTree(response.getContentAsString());
        assertThat(body.path("type").asText()).isEqualTo(GuardProblems.BAD_SCOPE.toString());
        assertThat(body.path("header").asText()).isEqualTo("X-Session-Id");
    }

    @Test
    void theWebFilterBindsTheScopeWhileTheHandlerIsSubscribedAndPutsItInTheContext() {
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.post("/chat").header("X-Session-Id", "s-2"));
        AtomicReference<GuardScope> onThread = new AtomicReference<>();
        AtomicReference<Object> inContext = new AtomicReference<>();
        new GuardScopeWebFilter(scopes, 0).filter(exchange, ex -> Mono.deferContextual(ctx -> {
            onThread.set(GuardScope.current());
            inContext.set(ctx.get(GuardScopeWebFilter.SCOPE_KEY));
            return Mono.empty();
        })).block();
        assertThat(onThread.get().session()).isEqualTo("s-2");
        assertThat(((GuardScope) inContext.get()).session()).isEqualTo("s-2");
        assertThat(((GuardScope) exchange.getAttribute(GuardScopeWebFilter.SCOPE_KEY)).session()).isEqualTo("s-2");
        assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
    }

    @Test
    void theWebFilterAnswersABadHeaderWithAProblem() {
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.post("/chat").header("X-Session-Id", "a b"));
        AtomicReference<Boolean> handled = new AtomicReference<>(false);
        new GuardScopeWebFilter(scopes, 0).filter(exchange, ex -> {
            handled.set(true);
            return Mono.empty();
        }).block();
        assertThat(handled.get()).isFalse();
        assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(400);
        assertThat(exchange.getResponse().getBodyAsString().block()).contains("\"header\":\"X-Session-Id\"");
    }
}
