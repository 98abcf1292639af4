package dev.agentguard.spring;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code agent-guard.*} properties. The configuration processor turns this class into the metadata that IDEs
 * complete from, so each property's javadoc is its documentation.
 */
@ConfigurationProperties(prefix = "agent-guard")
public class AgentGuardProperties {

    /** Whether agent-guard is configured at all; false turns every part of the starter off. */
    private boolean enabled = true;

    /**
     * The policy file, as a Spring resource location: {@code classpath:policies/support.yaml} or
     * {@code file:/etc/agent-guard/support.yaml}. Without it no guard is created (unless the application defines
     * its own {@code Guard} bean).
     */
    private String policy;

    /** The agent to run, for a policy file with an {@code agents:} section. */
    private String agent;

    /** Whether a {@code file:} policy is reloaded when it changes (a classpath policy never is). */
    private boolean reload = true;

    /** Whether the guard's admin view is registered as the JMX MBean dev.agentguard:type=Guard,name=guard. */
    private boolean jmx = false;

    private final Wrap wrap = new Wrap();
    private final Web web = new Web();
    private final Tracing tracing = new Tracing();
    private final Metrics metrics = new Metrics();

    /** @return whether the starter is on */
    public boolean isEnabled() {
        return enabled;
    }

    /** @param enabled whether the starter is on */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** @return the policy's resource location, or null */
    public String getPolicy() {
        return policy;
    }

    /** @param policy the policy's resource location */
    public void setPolicy(String policy) {
        this.policy = policy;
    }

    /** @return the agent of a multi-agent policy file, or null */
    public String getAgent() {
        return agent;
    }

    /** @param agent the agent of a multi-agent policy file */
    public void setAgent(String agent) {
        this.agent = agent;
    }

    /** @return whether a file policy is reloaded on change */
    public boolean isReload() {
        return reload;
    }

    /** @param reload whether a file policy is reloaded on change */
    public void setReload(boolean reload) {
        this.reload = reload;
    }

    /** @return whether the admin MBean is registered */
    public boolean isJmx() {
        return jmx;
    }

    /** @param jmx whether the admin MBean is registered */
    public void setJmx(boolean jmx) {
        this.jmx = jmx;
    }

    /** @return what is wrapped */
    public Wrap getWrap() {
        return wrap;
    }

    /** @return the HTTP side */
    public Web getWeb() {
        return web;
    }

    /** @return the OpenTelemetry binding */
    public Tracing getTracing() {
        return tracing;
    }

    /** @return the Micrometer binding */
    public Metrics getMetrics() {
        return metrics;
    }

    /** Which model beans are guarded. */
    public static class Wrap {

        /** Whether ChatModel and StreamingChatModel beans are wrapped in the guard. */
        private boolean enabled = true;

        /** Names of ChatModel or StreamingChatModel beans to leave unguarded. */
        private List<String> exclude = new ArrayList<>();

        /** @return whether model beans are wrapped */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether model beans are wrapped */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return bean names left unguarded */
        public List<String> getExclude() {
            return exclude;
        }

        /** @param exclude bean names left unguarded */
        public void setExclude(List<String> exclude) {
            this.exclude = exclude;
        }
    }

    /** Who is calling, from each HTTP request, and how refusals are answered. */
    public static class Web {

        /** Whether a filter binds the caller's scope (agent, session, user, tenant) for each HTTP request. */
        private boolean enabled = true;

        /** The request header that names the session; empty for none. */
        private String sessionHeader = "X-Session-Id";

        /** The request header that names the user, used when the request has no authenticated principal. */
        private String userHeader;

        /** The request header that names the tenant, used when no GuardTenantResolver bean is defined. */
        private String tenantHeader;

        /** The request header that names the agent. */
        private String agentHeader;

        /** Whether the authenticated principal's name (Spring Security or the servlet container) is the user. */
        private boolean userFromPrincipal = true;

        /** The filter's order; the default runs it after Spring Security's filter chain (-100). */
        private int filterOrder = 0;

        /** Whether a refusal (GuardBlockedException) reaching a controller becomes an RFC 9457 problem response. */
        private boolean problemDetails = true;

        /** @return whether the scope filter is on */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether the scope filter is on */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the session header, or null */
        public String getSessionHeader() {
            return sessionHeader;
        }

        /** @param sessionHeader the session header */
        public void setSessionHeader(String sessionHeader) {
            this.sessionHeader = sessionHeader;
        }

        /** @return the user header, or null */
        public String getUserHeader() {
            return userHeader;
        }

        /** @param userHeader the user header */
        public void setUserHeader(String userHeader) {
            this.userHeader = userHeader;
        }

        /** @return the tenant header, or null */
        public String getTenantHeader() {
            return tenantHeader;
        }

        /** @param tenantHeader the tenant header */
        public void setTenantHeader(String tenantHeader) {
            this.tenantHeader = tenantHeader;
        }

        /** @return the agent header, or null */
        public String getAgentHeader() {
            return agentHeader;
        }

        /** @param agentHeader the agent header */
        public void setAgentHeader(String agentHeader) {
            this.agentHeader = agentHeader;
        }

        /** @return whether the principal is the user */
        public boolean isUserFromPrincipal() {
            return userFromPrincipal;
        }

        /** @param userFromPrincipal whether the principal is the user */
        public void setUserFromPrincipal(boolean userFromPrincipal) {
            this.userFromPrincipal = userFromPrincipal;
        }

        /** @return the filter's order */
        public int getFilterOrder() {
            return filterOrder;
        }

        /** @param filterOrder the filter's order */
        public void setFilterOrder(int filterOrder) {
            this.filterOrder = filterOrder;
        }

        /** @return whether refusals become problem responses */
        public boolean isProblemDetails() {
            return problemDetails;
        }

        /** @param problemDetails whether refusals become problem responses */
        public void setProblemDetails(boolean problemDetails) {
            this.problemDetails = problemDetails;
        }
    }

    /** The OpenTelemetry binding, applied when agent-guard-opentelemetry and an OpenTelemetry bean are present. */
    public static class Tracing {

        /** Whether the guard's calls are traced when an OpenTelemetry bean is present. */
        private boolean enabled = true;

        /** Whether prompts, answers and tool arguments are recorded on spans (redacted). */
        private boolean captureContent = false;

        /** @return whether tracing is applied */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether tracing is applied */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return whether content is captured */
        public boolean isCaptureContent() {
            return captureContent;
        }

        /** @param captureContent whether content is captured */
        public void setCaptureContent(boolean captureContent) {
            this.captureContent = captureContent;
        }
    }

    /** The Micrometer binding, applied when agent-guard-micrometer and a MeterRegistry bean are present. */
    public static class Metrics {

        /** Whether the guard's meters are registered when a MeterRegistry bean is present. */
        private boolean enabled = true;

        /** @return whether the meters are registered */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether the meters are registered */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
