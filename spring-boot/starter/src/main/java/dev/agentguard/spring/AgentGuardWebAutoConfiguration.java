package dev.agentguard.spring;

import dev.agentguard.core.Guard;
import dev.agentguard.spring.web.GuardProblemAdvice;
import dev.agentguard.spring.web.GuardProblems;
import dev.agentguard.spring.web.GuardScopeFilter;
import dev.agentguard.spring.web.GuardScopeWebFilter;
import dev.agentguard.spring.web.GuardTenantResolver;
import dev.agentguard.spring.web.RequestScopes;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The HTTP side, in servlet and reactive web applications: a filter that binds each request's caller as the
 * {@code GuardScope} ({@code agent-guard.web.enabled}), and refusals answered as problem responses
 * ({@code agent-guard.web.problem-details}). Only Spring Framework types are used here, which Boot 3.5 and 4.0
 * share; the filters are plain beans, which both register with their server.
 */
@AutoConfiguration(after = AgentGuardAutoConfiguration.class)
@ConditionalOnWebApplication
@ConditionalOnBean(Guard.class)
@ConditionalOnClass(name = "org.springframework.http.ProblemDetail")
@ConditionalOnProperty(prefix = "agent-guard", name = "enabled", matchIfMissing = true)
public class AgentGuardWebAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RequestScopes agentGuardRequestScopes(AgentGuardProperties properties,
            ObjectProvider<GuardTenantResolver> tenants) {
        return new RequestScopes(properties.getWeb(), tenants.getIfUnique());
    }

    @Bean
    @ConditionalOnMissingBean
    GuardProblems agentGuardProblems() {
        return new GuardProblems(Clock.systemUTC());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "agent-guard.web", name = "problem-details", matchIfMissing = true)
    GuardProblemAdvice agentGuardProblemAdvice(GuardProblems problems) {
        return new GuardProblemAdvice(problems);
    }

    /** Servlet applications (Spring MVC). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = {"jakarta.servlet.Filter", "org.springframework.web.filter.OncePerRequestFilter"})
    @ConditionalOnProperty(prefix = "agent-guard.web", name = "enabled", matchIfMissing = true)
    static class Servlet {

        @Bean
        @ConditionalOnMissingBean
        GuardScopeFilter agentGuardScopeFilter(RequestScopes scopes, AgentGuardProperties properties) {
            return new GuardScopeFilter(scopes, properties.getWeb().getFilterOrder());
        }
    }

    /** Reactive applications (Spring WebFlux). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = {"org.springframework.web.server.WebFilter", "reactor.core.publisher.Mono"})
    @ConditionalOnProperty(prefix = "agent-guard.web", name = "enabled", matchIfMissing = true)
    static class Reactive {

        @Bean
        @ConditionalOnMissingBean
        GuardScopeWebFilter agentGuardScopeWebFilter(RequestScopes scopes, AgentGuardProperties properties) {
            return new GuardScopeWebFilter(scopes, properties.getWeb().getFilterOrder());
        }
    }
}
