package dev.agentguard.spring.web;

import dev.agentguard.core.GuardScope;
import dev.agentguard.spring.AgentGuardProperties;
import java.security.Principal;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.lang.Nullable;

/**
 * Derives the caller's scope from a request, the same way for the servlet and the WebFlux filter: agent, session,
 * user and tenant from the configured headers, the user from the authenticated principal when there is one, the
 * tenant from a {@link GuardTenantResolver} bean when there is one.
 *
 * <p>Header values are the caller's input: a value longer than {@value #MAX_LENGTH} characters or with characters
 * outside letters, digits and {@code . _ : @ + = / -} is refused ({@link BadScopeException}), so that a request
 * cannot put control characters in the decision log or make unbounded keys.
 */
public final class RequestScopes {

    /** The longest header value taken as a scope key. */
    public static final int MAX_LENGTH = 128;

    private static final Pattern KEY = Pattern.compile("[\\p{L}\\p{N}._:@+=/-]{1," + MAX_LENGTH + "}");

    private final AgentGuardProperties.Web web;
    private final GuardTenantResolver tenants;

    /**
     * @param web where the headers are named
     * @param tenants the application's tenant resolver, or null
     */
    public RequestScopes(AgentGuardProperties.Web web, @Nullable GuardTenantResolver tenants) {
        this.web = web;
        this.tenants = tenants;
    }

    /**
     * @param headers the request's headers
     * @param principal the authenticated principal, or null
     * @return the scope, not yet bound
     * @throws BadScopeException if a header value cannot be a scope key
     */
    public GuardScope scope(HttpHeaders headers, @Nullable Principal principal) {
        GuardScope.Builder b = GuardScope.builder();
        b.agent(header(headers, web.getAgentHeader()));
        b.session(header(headers, web.getSessionHeader()));
        String user = web.isUserFromPrincipal() && principal != null && principal.getName() != null
                ? principal.getName() : header(headers, web.getUserHeader());
        b.user(user);
        b.tenant(tenants != null ? tenants.tenant(headers, principal) : header(headers, web.getTenantHeader()));
        return b.build();
    }

    private static String header(HttpHeaders headers, String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        String value = headers.getFirst(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!KEY.matcher(value).matches()) {
            throw new BadScopeException(name);
        }
        return value;
    }

    /** A header value that cannot be a scope key; answered with 400 and a problem response. */
    public static final class BadScopeException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final String header;

        BadScopeException(String header) {
            super("header " + header + " must be 1 to " + MAX_LENGTH + " letters, digits or . _ : @ + = / -");
            this.header = header;
        }

        /** @return the header at fault */
        public String header() {
            return header;
        }
    }
}
