package dev.agentguard.langchain4j;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.log.GuardMdc;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link ToolExecutor} whose every call is admitted by a {@link Guard} (caps, per-tool caps, loop rules) and
 * recorded after it.
 *
 * <pre>{@code
 * ToolExecutor tool = GuardedToolExecutor.wrap("search_web", executor, guard);
 * }</pre>
 *
 * <p>Both entry points are guarded: {@link #executeWithContext} (what AI services call; the call is attributed to
 * the invocation's {@code @MemoryId} session, agent and turn) and {@link #execute} (attributed to the thread's
 * bound {@link GuardScope}, with the memory id as session when given).
 *
 * <ul>
 *   <li>{@code feedback}: the delegate is not called; the result is a text that tells the model which call was
 *       refused, why, and what to do instead (marked as an error result);</li>
 *   <li>{@code block} or {@code suspend}: throws {@link GuardBlockedException}. Inside an AI service the default
 *       tool error handler would turn it into text for the model; {@link GuardedAiServices} installs a handler that
 *       rethrows it, so that the invocation ends;</li>
 *   <li>otherwise the delegate runs; a call that throws, or returns an error result, is recorded as failed (so
 *       that {@code loops.repeatedToolError} sees it) and behaves as before. A tool priced per unit is charged
 *       what it reports through {@link ToolUnits#report}, else what it held.</li>
 * </ul>
 */
public final class GuardedToolExecutor implements ToolExecutor {

    private final String toolName;
    private final ToolExecutor delegate;
    private final Guard guard;

    private GuardedToolExecutor(String toolName, ToolExecutor delegate, Guard guard) {
        if (toolName == null || toolName.isBlank()) {
            throw new IllegalArgumentException("a guarded tool needs its tool name");
        }
        this.toolName = toolName;
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    /**
     * @param toolName the tool's name, as rules and decisions know it (e.g. {@code search_web})
     * @param delegate the executor to guard
     * @param guard the guard that admits its calls
     * @return the guarded executor
     */
    public static GuardedToolExecutor wrap(String toolName, ToolExecutor delegate, Guard guard) {
        return new GuardedToolExecutor(toolName, delegate, guard);
    }

    @Override
    public String execute(ToolExecutionRequest request, Object memoryId) {
        ToolExecutionResult result = run(request, AiServiceScopes.forMemoryId(memoryId),
                () -> ToolExecutionResult.builder().resultText(delegate.execute(request, memoryId)).build());
        return result.resultText();
    }

    @Override
    public ToolExecutionResult executeWithContext(ToolExecutionRequest request, InvocationContext context) {
        return run(request, AiServiceScopes.forTool(context), () -> delegate.executeWithContext(request, context));
    }

    private ToolExecutionResult run(ToolExecutionRequest request, GuardScope scope,
            Supplier<ToolExecutionResult> call) {
        try (Admission admission = guard.admitToolCall(ToolCall.of(scope, toolName, request.arguments()))) {
            if (!admission.proceeds()) {
                if (admission.decision().action() == Action.FEEDBACK) {
                    return ToolExecutionResult.builder().isError(true)
                            .resultText(GuardBlockedException.feedback(toolName, admission.decision())).build();
                }
                throw new GuardBlockedException(guard.config().name(), "tool call " + toolName,
                        admission.decision());
            }
            // a tool priced per unit may report what it used (ToolUnits.report); others pay nothing for this
            Map<String, Long> maxUnits = guard.config().toolMaxUnits();
            boolean perUnit = !maxUnits.isEmpty() && maxUnits.containsKey(toolName);
            long[] outer = perUnit ? ToolUnits.begin() : null;
            long units = -1;
            ToolExecutionResult result;
            try (GuardMdc.Binding mdc = GuardMdc.bind(scope)) { // the tool's log lines carry agent and session
                result = call.get();
            } catch (RuntimeException | Error e) {
                admission.fail(e, null);
                throw e;
            } finally {
                if (perUnit) {
                    units = ToolUnits.end(outer);
                }
            }
            if (result != null && result.isError()) {
                admission.fail(new ToolErrorResult(text(result)), null);
            } else if (units >= 0) {
                admission.complete(units);
            } else {
                admission.complete();
            }
            return result;
        }
    }

    private static String text(ToolExecutionResult result) {
        StringBuilder sb = new StringBuilder();
        for (Content c : result.resultContents()) {
            if (c instanceof TextContent) {
                sb.append(((TextContent) c).text());
            }
        }
        return sb.toString();
    }

    /** @return the tool name used for rules and decisions */
    public String toolName() {
        return toolName;
    }

    /** @return the guarded executor */
    public ToolExecutor delegate() {
        return delegate;
    }

    @Override
    public String toString() {
        return "GuardedToolExecutor{" + toolName + ", " + guard + '}';
    }

    /**
     * Stands for a tool result that the executor marked as an error without throwing, so that the guard can tell
     * "the same call failing the same way" by the error text.
     */
    static final class ToolErrorResult extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ToolErrorResult(String text) {
            super(text, null, false, false);
        }
    }
}
