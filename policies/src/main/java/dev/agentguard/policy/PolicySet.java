package dev.agentguard.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The agents of a multi-agent policy (a file with {@code agents:}, or a directory of policy files), each a
 * validated {@link Policy} that has inherited the shared settings. Immutable; agents keep the order in which they
 * were declared (files in name order).
 */
public final class PolicySet {

    private final Map<String, Policy> agents;

    PolicySet(Map<String, Policy> agents) {
        this.agents = Collections.unmodifiableMap(new LinkedHashMap<>(agents));
    }

    /** @return the agent names, in declaration order */
    public Set<String> names() {
        return agents.keySet();
    }

    /** @return agent name to its policy */
    public Map<String, Policy> asMap() {
        return agents;
    }

    /**
     * @param agent an agent name
     * @return its policy
     * @throws NoSuchElementException if there is no such agent
     */
    public Policy get(String agent) {
        Policy p = agents.get(agent);
        if (p == null) {
            throw new NoSuchElementException("no agent '" + agent + "'; the policy defines " + agents.keySet());
        }
        return p;
    }

    @Override
    public String toString() {
        return "PolicySet" + agents.keySet();
    }
}
