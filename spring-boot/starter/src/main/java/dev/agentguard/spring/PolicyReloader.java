package dev.agentguard.spring;

import dev.agentguard.policy.PolicyWatcher;

/**
 * Holds the watcher that reloads a {@code file:} policy, so that it stops with the context; holds nothing for a
 * policy that cannot change (a classpath resource).
 */
public final class PolicyReloader implements AutoCloseable {

    private final PolicyWatcher watcher;

    PolicyReloader(PolicyWatcher watcher) {
        this.watcher = watcher;
    }

    /** @return the watcher of the policy file, or null for a policy that is not a file */
    public PolicyWatcher watcher() {
        return watcher;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
