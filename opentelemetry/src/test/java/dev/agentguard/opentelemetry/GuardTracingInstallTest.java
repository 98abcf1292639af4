package dev.agentguard.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.langchain4j.GuardedChatModel;
import io.opentelemetry.api.OpenTelemetry;
import org.junit.jupiter.api.Test;

/** What install sets up, by what it is given. */
class GuardTracingInstallTest {

    @Test
    void onTheNoOpApiNothingIsInstalledAndCallsGoOnAsBefore() {
        Guard guard = Guard.of(GuardConfig.builder().name("plain").build());

        GuardTracing tracing = GuardTracing.install(guard, OpenTelemetry.noop());

        assertThat(tracing.tracesDecorators()).isFalse();
        Fakes.Chat fake = new Fakes.Chat("gpt-4o-mini");
        assertThat(GuardedChatModel.wrap(fake, guard).chat("hi")).isEqualTo("ok");
        assertThat(fake.requests).hasSize(1);
    }

    @Test
    void onAnSdkWithTheAdapterPresentTheDecoratorsReportToTheSpans() {
        Tracing t = new Tracing(p -> { });
        assertThat(GuardTracing.install(Guard.of(GuardConfig.builder().name("other").build()), t.openTelemetry)
                .tracesDecorators()).isTrue();
    }
}
