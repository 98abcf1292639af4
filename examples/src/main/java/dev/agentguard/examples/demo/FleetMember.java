package dev.agentguard.examples.demo;

import dev.agentguard.core.Guard;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.examples.sim.OpenAiSimulator.Reply;
import dev.agentguard.policy.Policies;
import dev.agentguard.policy.Policy;
import dev.agentguard.policy.PolicyReader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One JVM of the demo's fleet ({@link Fleet} starts it): a guard built from {@code policies/fleet.yaml}, whose
 * ledger is the Redis at {@code REDIS_URL}, a simulator of its own, and concurrent research sessions of one agent
 * that add notes until the shared budget refuses them. Guard and ledger run on real time (the ledger on Redis's
 * {@code TIME}), not on the demo's simulated clock, which cannot be shared between processes.
 *
 * <p>Arguments: its name, the number of sessions, its audit file. It prints {@link #READY} once set up and warmed
 * up, waits for {@link #GO} on its standard input so that every JVM of the fleet starts spending at the same
 * moment, and exits once its sessions have stopped and its audit file is closed.
 */
public final class FleetMember {

    static final String READY = "READY";
    static final String GO = "GO";

    private FleetMember() {
    }

    /**
     * @param args name, sessions, audit file
     * @throws Exception if the member cannot run; it then exits with a status other than 0
     */
    public static void main(String[] args) throws Exception {
        String name = args[0];
        int sessions = Integer.parseInt(args[1]);
        Path auditFile = Path.of(args[2]);
        Policy policy = Fleet.policy(PolicyReader.systemEnvironment());
        try (Endpoint endpoint = Endpoint.simulated()) {
            endpoint.simulator().orElseThrow().behave(r -> Reply.text("Added to the review.", 600));
            warmUp(policy, endpoint);
            Guard guard = Policies.builder(policy)
                    .listener(AuditSink.open(AuditConfig.builder().file(auditFile).build()))
                    .build();
            Scenarios.Assistant crew = Scenarios.assistant(guard, endpoint, Fleet.AGENT, Endpoint.CHEAP, 2);
            Scenarios.Tally tally;
            try {
                tally = Scenarios.researchAtOnce(crew, name + "-research-", sessions, () -> {
                    System.out.println(READY);
                    awaitGo();
                    return null;
                });
            } finally {
                guard.close(); // drains the audit file and closes the ledger
            }
            System.out.println("  its " + sessions + " sessions stopped: " + tally.admitted() + " calls answered, "
                    + tally.refused() + " refused");
        }
    }

    /**
     * Loads the classes of the client, the AI service and the guard, and warms the HTTP connection, with one call
     * through a private in-memory guard: the first JVM to be ready must not spend the budget while the others
     * are still loading classes.
     */
    private static void warmUp(Policy policy, Endpoint endpoint) {
        Guard warm = Guard.builder(policy.config()).build();
        try {
            Scenarios.assistant(warm, endpoint, "warm-up", Endpoint.CHEAP, 2).chat("warm-up", "Hello");
        } finally {
            warm.close();
        }
    }

    private static void awaitGo() throws java.io.IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals(GO)) {
                return;
            }
        }
        throw new IllegalStateException("the fleet closed this member's input before it said " + GO);
    }
}
