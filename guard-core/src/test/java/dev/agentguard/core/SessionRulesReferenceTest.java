package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of tool and model calls against a policy with caps and loop rules: every decision equals the
 * one a naive reference model takes. The reference keeps every attempt of the turn in a list and recomputes each
 * rule from its definition in {@link Caps} and {@link LoopRules}.
 */
class SessionRulesReferenceTest {

    private static final String[] TOOLS = {"search", "read", "write", "wait_for_job"};
    private static final String[] ARGS = {"{\"q\":1}", "{ \"q\" : 1.0 }", "{\"q\":2}", "not json", "{\"a\":[1,2]}"};

    private static final Caps CAPS = Caps.builder().modelCallsPerSession(40).modelCallsPerTurn(6)
            .toolCallsPerSession(60).toolCallsPerTurn(12).perTool("write", 4).build();
    private static final LoopRules LOOPS = LoopRules.builder()
            .identicalToolCalls(LoopRules.Threshold.of(3, 5))
            .alternatingToolCalls(LoopRules.Threshold.of(4, 6))
            .repeatedToolError(LoopRules.Threshold.of(2, 3))
            .repeatedModelRequest(LoopRules.Threshold.of(2, 3))
            .exempt("wait_for_job").build();

    @Test
    void decisionsEqualTheReferenceModel() {
        int sequences = 300;
        for (int seed = 0; seed < sequences; seed++) {
            run(seed);
        }
    }

    private void run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        GuardConfig config = GuardConfig.builder().caps(CAPS).loops(LOOPS)
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build()).build();
        Guard guard = Guard.builder(config).ticker(new FakeTicker())
                .clock(new FakeClock(Instant.parse("2026-01-01T00:00:00Z"))).build();
        Reference ref = new Reference();
        int turn = 0;
        for (int step = 0; step < 250; step++) {
            if (random.nextInt(25) == 0) {
                turn++;
            }
            GuardScope scope = GuardScope.builder().agent("a").session("s").turn("t" + turn).build();
            ref.enterTurn("t" + turn);
            String where = "seed " + seed + ", step " + step;
            if (random.nextInt(4) == 0) {
                long request = 1 + random.nextInt(3);
                Admission a = guard.admitModelCall(ModelCall.builder("m").scope(scope).promptTokens(1)
                        .requestFingerprint(request).build());
                String[] expected = ref.model(request);
                assertThat(a.decision().action().name()).as(where).isEqualTo(expected[0]);
                assertThat(a.decision().rule()).as(where).isEqualTo(expected[1]);
                a.settle(Usage.of(1, 1));
            } else {
                String tool = TOOLS[random.nextInt(random.nextBoolean() ? 2 : TOOLS.length)];
                String args = ARGS[random.nextInt(random.nextBoolean() ? 2 : ARGS.length)];
                Admission a = guard.admitToolCall(ToolCall.of(scope, tool, args));
                String[] expected = ref.tool(tool, CanonicalArguments.canonical(args));
                assertThat(a.decision().action().name()).as(where + " " + tool + " " + args).isEqualTo(expected[0]);
                assertThat(a.decision().rule()).as(where).isEqualTo(expected[1]);
                if (a.proceeds()) {
                    if (random.nextInt(3) == 0) {
                        String error = random.nextBoolean() ? "boom" : "bang";
                        a.fail(new IllegalStateException(error), null);
                        ref.failed(tool, CanonicalArguments.canonical(args), error);
                    } else {
                        a.complete();
                        ref.succeeded(tool, CanonicalArguments.canonical(args));
                    }
                }
            }
        }
    }

    /** The rules, recomputed from scratch from the whole history of the turn. */
    private static final class Reference {
        String turn;
        int modelCalls;
        int modelCallsTurn;
        int toolCalls;
        int toolCallsTurn;
        Map<String, Integer> perTool = new HashMap<>();
        Map<String, Integer> capRefusals = new HashMap<>();
        List<String> attempts = new ArrayList<>();
        List<Long> requests = new ArrayList<>();
        Map<String, int[]> errors = new HashMap<>(); // call -> {errorHash, failures, refusals}

        void enterTurn(String t) {
            if (!t.equals(turn)) {
                turn = t;
                modelCallsTurn = 0;
                toolCallsTurn = 0;
                attempts.clear();
                requests.clear();
                errors.clear();
            }
        }

        String[] tight(List<String[]> fired) {
            String[] best = {"ALLOW", null};
            for (String[] f : fired) {
                if (Action.valueOf(f[0]).isTighterThan(Action.valueOf(best[0]))) {
                    best = f;
                }
            }
            return best;
        }

        String[] model(long request) {
            List<String[]> fired = new ArrayList<>();
            if (modelCalls + 1 > CAPS.modelCallsPerSession()) {
                fired.add(new String[] {"BLOCK", "caps.modelCallsPerSession"});
            }
            if (modelCallsTurn + 1 > CAPS.modelCallsPerTurn()) {
                fired.add(new String[] {"BLOCK", "caps.modelCallsPerTurn"});
            }
            requests.add(request);
            int run = 0;
            for (int i = requests.size() - 1; i >= 0 && requests.get(i) == request; i--) {
                run++;
            }
            if (run >= LOOPS.repeatedModelRequest().blockAt()) {
                fired.add(new String[] {"BLOCK", "loops.repeatedModelRequest"});
            } else if (run >= LOOPS.repeatedModelRequest().warnAt()) {
                fired.add(new String[] {"WARN", "loops.repeatedModelRequest"});
            }
            String[] result = tight(fired);
            if (!Action.valueOf(result[0]).refuses()) {
                modelCalls++;
                modelCallsTurn++;
            }
            return result;
        }

        String[] tool(String tool, String canonicalArgs) {
            String call = tool + "\u0000" + canonicalArgs;
            List<String[]> fired = new ArrayList<>();
            if (toolCalls + 1 > CAPS.toolCallsPerSession()) {
                fired.add(new String[] {"BLOCK", "caps.toolCallsPerSession"});
            }
            if (toolCallsTurn + 1 > CAPS.toolCallsPerTurn()) {
                fired.add(new String[] {"BLOCK", "caps.toolCallsPerTurn"});
            }
            Integer cap = CAPS.perTool().get(tool);
            if (cap != null && perTool.getOrDefault(tool, 0) + 1 > cap) {
                // told once, blocked if the model insists
                int refused = capRefusals.merge(tool, 1, Integer::sum);
                fired.add(new String[] {refused == 1 ? "FEEDBACK" : "BLOCK", "caps.perTool." + tool});
            }
            if (!LOOPS.exempt().contains(tool)) {
                List<String> seq = new ArrayList<>(attempts);
                seq.add(call);
                int identical = 0;
                for (int i = seq.size() - 1; i >= 0 && seq.get(i).equals(call); i--) {
                    identical++;
                }
                threshold(fired, LOOPS.identicalToolCalls(), identical, "loops.identicalToolCalls");
                int cycle = 0;
                for (int p = 2; p <= LoopRules.MAX_CYCLE && p < seq.size(); p++) {
                    boolean distinct = false;
                    for (int i = 1; i < p; i++) {
                        distinct |= !seq.get(seq.size() - 1 - i).equals(call);
                    }
                    if (!distinct) {
                        continue;
                    }
                    int matches = 0;
                    for (int i = seq.size() - 1; i - p >= 0 && seq.get(i).equals(seq.get(i - p)); i--) {
                        matches++;
                    }
                    if (matches >= p) {
                        cycle = Math.max(cycle, matches + p);
                    }
                }
                if (cycle > 0) {
                    threshold(fired, LOOPS.alternatingToolCalls(), cycle, "loops.alternatingToolCalls");
                }
                int[] e = errors.get(call);
                if (e != null) {
                    if (e[1] >= LOOPS.repeatedToolError().blockAt()) {
                        fired.add(new String[] {e[2] == 0 ? "FEEDBACK" : "BLOCK", "loops.repeatedToolError"});
                        e[2]++;
                    } else if (e[1] >= LOOPS.repeatedToolError().warnAt()) {
                        fired.add(new String[] {"WARN", "loops.repeatedToolError"});
                    }
                }
                attempts.add(call);
            }
            String[] result = tight(fired);
            if (!Action.valueOf(result[0]).refuses()) {
                toolCalls++;
                toolCallsTurn++;
                if (cap != null) {
                    perTool.merge(tool, 1, Integer::sum);
                }
            }
            return result;
        }

        private static void threshold(List<String[]> fired, LoopRules.Threshold t, int run, String rule) {
            if (run >= t.blockAt()) {
                fired.add(new String[] {run == t.blockAt() ? "FEEDBACK" : "BLOCK", rule});
            } else if (run >= t.warnAt()) {
                fired.add(new String[] {"WARN", rule});
            }
        }

        void failed(String tool, String canonicalArgs, String error) {
            if (LOOPS.exempt().contains(tool)) {
                return;
            }
            String call = tool + "\u0000" + canonicalArgs;
            int hash = Objects.hash(error);
            int[] e = errors.get(call);
            if (e != null && e[1] > 0 && e[0] == hash) {
                e[1]++;
            } else {
                errors.put(call, new int[] {hash, 1, 0});
            }
        }

        void succeeded(String tool, String canonicalArgs) {
            errors.remove(tool + "\u0000" + canonicalArgs);
        }
    }
}
