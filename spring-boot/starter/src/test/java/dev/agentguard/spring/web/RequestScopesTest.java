package dev.agentguard.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.GuardScope;
import dev.agentguard.spring.AgentGuardProperties;
import java.security.Principal;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

class RequestScopesTest {

    private final AgentGuardProperties.Web web = new AgentGuardProperties.Web();

    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders h = new HttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    @Test
    void theSessionComesFromItsHeaderAndNothingElseByDefault() {
        GuardScope s = new RequestScopes(web, null).scope(headers("X-Session-Id", "s-42", "X-User", "bob"), null);
        assertThat(s.session()).isEqualTo("s-42");
        assertThat(s.user()).isNull();
        assertThat(s.tenant()).isNull();
        assertThat(s.agent()).isNull();
    }

    @Test
    void thePrincipalWinsOverTheUserHeader() {
        web.setUserHeader("X-User");
        web.setTenantHeader("X-Tenant");
        web.setAgentHeader("X-Agent");
        Principal alice = () -> "alice";
        HttpHeaders h = headers("X-User", "mallory", "X-Tenant", "acme", "X-Agent", "support");
        GuardScope s = new RequestScopes(web, null).scope(h, alice);
        assertThat(s.user()).isEqualTo("alice");
        assertThat(s.tenant()).isEqualTo("acme");
        assertThat(s.agent()).isEqualTo("support");
        assertThat(new RequestScopes(web, null).scope(h, null).user()).as("without a principal").isEqualTo("mallory");
        web.setUserFromPrincipal(false);
        assertThat(new RequestScopes(web, null).scope(h, alice).user()).isEqualTo("mallory");
    }

    @Test
    void aTenantResolverBeanReplacesTheTenantHeader() {
        web.setTenantHeader("X-Tenant");
        GuardTenantResolver fromPrincipal = (h, p) -> p == null ? null : "tenant-of-" + p.getName();
        GuardScope s = new RequestScopes(web, fromPrincipal).scope(headers("X-Tenant", "acme"), () -> "alice");
        assertThat(s.tenant()).isEqualTo("tenant-of-alice");
    }

    @Test
    void headerValuesThatCannotBeKeysAreRefused() {
        RequestScopes scopes = new RequestScopes(web, null);
        assertThatThrownBy(() -> scopes.scope(headers("X-Session-Id", "a b"), null))
                .isInstanceOf(RequestScopes.BadScopeException.class).hasMessageContaining("X-Session-Id");
        assertThatThrownBy(() -> scopes.scope(headers("X-Session-Id", "x".repeat(RequestScopes.MAX_LENGTH + 1)), null))
                .isInstanceOf(RequestScopes.BadScopeException.class);
        assertThat(scopes.scope(headers("X-Session-Id", "x".repeat(RequestScopes.MAX_LENGTH)), null).session())
                .hasSize(RequestScopes.MAX_LENGTH);
        assertThat(scopes.scope(headers("X-Session-Id", "user@example.com/chat:7"), null).session())
                .isEqualTo("user@example.com/chat:7");
        assertThat(scopes.scope(headers("X-Session-Id", ""), null).session()).isNull();
    }
}
