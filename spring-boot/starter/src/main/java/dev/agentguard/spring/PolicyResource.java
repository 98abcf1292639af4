package dev.agentguard.spring;

import dev.agentguard.policy.Policies;
import dev.agentguard.policy.Policy;
import dev.agentguard.policy.PolicyException;
import dev.agentguard.policy.PolicyReader;
import dev.agentguard.policy.PolicySet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The policy named by {@code agent-guard.policy}, read from any Spring resource. A {@code file:} location is read
 * as a file, so that {@code extends} finds its neighbours and the file can be watched; anything else
 * ({@code classpath:}, a URL) is read as a stream.
 *
 * @param location the location as configured
 * @param file the file, for a {@code file:} location; else null
 * @param policy the validated policy
 */
record PolicyResource(String location, Path file, Policy policy) {

    /**
     * @param location a resource location
     * @param agent the agent of a multi-agent file, or null
     * @param loader resolves the location
     * @return the validated policy
     * @throws IllegalStateException if the resource does not exist or cannot be read
     * @throws PolicyException if the policy is invalid (every problem, located)
     */
    static PolicyResource read(String location, String agent, ResourceLoader loader) {
        Resource resource = loader.getResource(location.trim());
        if (!resource.exists()) {
            throw new IllegalStateException("agent-guard.policy: no policy at " + location
                    + " (use classpath:path/in/jar.yaml or file:/path/on/disk.yaml)");
        }
        try {
            if (location.trim().startsWith("file:")) {
                Path file = resource.getFile().toPath();
                Policy policy = agent == null ? Policies.parse(file)
                        : PolicyReader.systemEnvironment().parse(file, agent);
                return new PolicyResource(location, file, policy);
            }
            String name = resource.getFilename() == null ? location : resource.getFilename();
            try (InputStream in = resource.getInputStream()) {
                if (agent == null) {
                    return new PolicyResource(location, null, Policies.parse(in, name));
                }
                PolicySet set = PolicyReader.systemEnvironment().parseAgents(in, name);
                Policy policy = set.asMap().get(agent);
                if (policy == null) {
                    throw new IllegalStateException("agent-guard.agent: " + location + " has no agent '" + agent
                            + "'; it has " + set.asMap().keySet());
                }
                return new PolicyResource(location, null, policy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("agent-guard.policy: cannot read " + location + ": " + e.getMessage(), e);
        }
    }
}
