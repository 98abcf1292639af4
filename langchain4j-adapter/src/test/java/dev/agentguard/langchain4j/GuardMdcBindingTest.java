package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.log.GuardMdc;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** While a guarded tool runs, its log lines carry the agent and the session (MDC), and nothing is left behind. */
class GuardMdcBindingTest {

    @Test
    void aGuardedToolRunsWithTheScopeInTheMdc() {
        List<String> seen = new ArrayList<>();
        ToolExecutor tool = (request, memoryId) -> {
            seen.add(MDC.get(GuardMdc.AGENT) + "/" + MDC.get(GuardMdc.SESSION));
            return "ok";
        };
        Guard guard = Guard.of(GuardConfig.builder().build());
        ToolExecutor guarded = GuardedToolExecutor.wrap("lookup", tool, guard);

        try (GuardScope scope = GuardScope.open("support", "s-42")) {
            guarded.execute(ToolExecutionRequest.builder().id("1").name("lookup").arguments("{}").build(), "s-42");
        }

        assertThat(seen).containsExactly("support/s-42");
        assertThat(MDC.get(GuardMdc.SESSION)).isNull();
    }
}
