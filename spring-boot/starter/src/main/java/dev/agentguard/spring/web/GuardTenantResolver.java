package dev.agentguard.spring.web;

import java.security.Principal;
import org.springframework.http.HttpHeaders;
import org.springframework.lang.Nullable;

/**
 * Names the tenant of an HTTP request, for tenant budgets: define one bean of this type (for example reading a
 * claim of the authenticated token, or a sub-domain) and the scope filters use it instead of
 * {@code agent-guard.web.tenant-header}. Works for servlet and WebFlux applications alike.
 */
@FunctionalInterface
public interface GuardTenantResolver {

    /**
     * @param headers the request's headers
     * @param principal the authenticated principal, or null
     * @return the tenant, or null for none
     */
    @Nullable
    String tenant(HttpHeaders headers, @Nullable Principal principal);
}
