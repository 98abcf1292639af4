package dev.agentguard.spring.web;

import dev.agentguard.core.GuardScope;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The WebFlux counterpart of {@link GuardScopeFilter}. A reactive request has no thread of its own, so the scope is
 * (1) bound to the thread while the rest of the chain is subscribed, which covers a handler that makes its guarded
 * calls as it is invoked, and (2) put in the exchange's attributes and the Reactor context under
 * {@link #SCOPE_KEY}, for a handler that moves to another scheduler: it binds it there with
 * {@code GuardScope.wrapSupplier} or {@code scope.toBuilder().open()}.
 */
public class GuardScopeWebFilter implements WebFilter, Ordered {

    /** The exchange attribute and Reactor context key of the request's {@link GuardScope}. */
    public static final String SCOPE_KEY = GuardScope.class.getName();

    private final RequestScopes scopes;
    private final int order;

    /**
     * @param scopes derives the scope
     * @param order the filter's order
     */
    public GuardScopeWebFilter(RequestScopes scopes, int order) {
        this.scopes = scopes;
        this.order = order;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return exchange.getPrincipal().map(Principal.class::cast).map(Optional::of)
                .defaultIfEmpty(Optional.<Principal>empty())
                .flatMap(principal -> {
                    GuardScope scope;
                    try {
                        scope = scopes.scope(exchange.getRequest().getHeaders(), principal.orElse(null));
                    } catch (RequestScopes.BadScopeException e) {
                        return writeProblem(exchange.getResponse(), GuardProblems.badScope(e));
                    }
                    exchange.getAttributes().put(SCOPE_KEY, scope);
                    Mono<Void> rest = chain.filter(exchange).contextWrite(ctx -> ctx.put(SCOPE_KEY, scope));
                    return Mono.<Void>fromDirect(subscriber -> {
                        try (GuardScope bound = scope.toBuilder().open()) {
                            rest.subscribe(subscriber);
                        }
                    });
                });
    }

    private static Mono<Void> writeProblem(ServerHttpResponse response, ProblemDetail problem) {
        response.setStatusCode(HttpStatus.valueOf(problem.getStatus()));
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        DataBuffer body = response.bufferFactory().wrap(ProblemJson.write(problem).getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(body));
    }

    @Override
    public int getOrder() {
        return order;
    }
}
