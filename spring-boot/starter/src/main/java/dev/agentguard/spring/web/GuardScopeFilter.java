package dev.agentguard.spring.web;

import dev.agentguard.core.GuardScope;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Binds the caller's {@link GuardScope} to the request's thread while a servlet request is handled, so that every
 * guarded model and tool call made for it is attributed to its agent, session, user and tenant
 * ({@link RequestScopes}). Runs after Spring Security's filter chain by default, so that the authenticated principal
 * is known. Work the handler hands to other threads keeps the scope only through {@code GuardScope.wrap}.
 */
public class GuardScopeFilter extends OncePerRequestFilter implements Ordered {

    private final RequestScopes scopes;
    private final int order;

    /**
     * @param scopes derives the scope
     * @param order the filter's order
     */
    public GuardScopeFilter(RequestScopes scopes, int order) {
        this.scopes = scopes;
        this.order = order;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        GuardScope scope;
        try {
            HttpHeaders headers = new ServletServerHttpRequest(request).getHeaders();
            scope = scopes.scope(headers, request.getUserPrincipal());
        } catch (RequestScopes.BadScopeException e) {
            writeProblem(response, GuardProblems.badScope(e));
            return;
        }
        GuardScope bound = scope.toBuilder().open();
        try {
            chain.doFilter(request, response);
        } finally {
            bound.close();
        }
    }

    private static void writeProblem(HttpServletResponse response, ProblemDetail problem) throws IOException {
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(ProblemJson.write(problem));
    }

    @Override
    public int getOrder() {
        return order;
    }
}
