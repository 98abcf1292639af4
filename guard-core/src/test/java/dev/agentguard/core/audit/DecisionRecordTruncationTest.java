package dev.agentguard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.Admission;
import dev.agentguard.core.Caps;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.redact.Redactor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What truncation dropped reaches the record of the call, and only that record. */
class DecisionRecordTruncationTest {

    private final List<DecisionEvent> events = new ArrayList<>();
    private final Guard guard = Guard.builder(GuardConfig.builder().name("t")
            .caps(Caps.builder().promptTokens(1_000, Caps.PromptAction.TRUNCATE).build()).build())
            .listener(events::add).build();
    private final GuardScope scope = GuardScope.builder().agent("a").session("s").build();

    private DecisionRecord record(Phase phase) {
        return events.stream().filter(e -> e.phase() == phase).map(e -> DecisionRecord.of(e, Redactor.none()))
                .reduce((first, second) -> second).orElseThrow();
    }

    @Test
    void thePostRecordOfATruncatedCallSaysWhatWasDropped() {
        try (Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o-mini").scope(scope).promptTokens(1_600)
                .maxOutputTokens(100).build())) {
            assertThat(a.decision().action()).isEqualTo(Action.TRUNCATE);
            a.truncated(4, 700);
            a.settle(Usage.of(900, 0, 0, 50, 0));
        }

        DecisionRecord post = record(Phase.POST);
        assertThat(post.truncated()).containsExactly(Map.entry("messages", 4L), Map.entry("tokens", 700L));
        assertThat(post.get(DecisionRecord.TRUNCATED)).isEqualTo(post.truncated());
        assertThat(post.toJson()).contains("\"truncated\":{\"messages\":4,\"tokens\":700}");
        assertThat(post.toMap()).containsKey(DecisionRecord.TRUNCATED);
        assertThat(record(Phase.PRE).truncated()).as("the pre record only asks for truncation").isNull();
    }

    @Test
    void aCallThatWasNotTruncatedHasNoTruncatedField() {
        try (Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o-mini").scope(scope).promptTokens(100)
                .maxOutputTokens(100).build())) {
            a.settle(Usage.of(100, 0, 0, 50, 0));
        }

        DecisionRecord post = record(Phase.POST);
        assertThat(post.truncated()).isNull();
        assertThat(post.toJson()).doesNotContain("truncated");
        assertThat(post.toMap()).doesNotContainKey(DecisionRecord.TRUNCATED);
    }
}
