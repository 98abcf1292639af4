package dev.agentguard.core;

import java.util.Objects;

/**
 * A tool call about to be executed: who calls, which tool, with which arguments (as the model sent them,
 * usually JSON). Immutable.
 *
 * <p>Arguments may hold secrets or personal data: they reach decision listeners as they are, and every sink
 * that writes them (the decision log, the audit file) redacts them first.
 */
public final class ToolCall {

    private final GuardScope scope;
    private final String tool;
    private final String arguments;

    private ToolCall(GuardScope scope, String tool, String arguments) {
        this.scope = scope;
        this.tool = tool;
        this.arguments = arguments;
    }

    /**
     * @param scope who is calling; null for {@link GuardScope#current()}
     * @param tool the tool name
     * @param arguments the arguments as sent by the model; null is taken as empty
     * @return the call
     * @throws IllegalArgumentException if the tool name is missing
     */
    public static ToolCall of(GuardScope scope, String tool, String arguments) {
        if (tool == null || tool.isBlank()) {
            throw new IllegalArgumentException("a tool call needs a tool name");
        }
        return new ToolCall(scope == null ? GuardScope.current() : scope, tool, arguments == null ? "" : arguments);
    }

    /**
     * @param tool the tool name
     * @param arguments the arguments
     * @return a call attributed to the thread's bound scope
     */
    public static ToolCall of(String tool, String arguments) {
        return of(null, tool, arguments);
    }

    /** @return who is calling */
    public GuardScope scope() {
        return scope;
    }

    /** @return the tool name */
    public String tool() {
        return tool;
    }

    /** @return the arguments as sent, never null */
    public String arguments() {
        return arguments;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToolCall && ((ToolCall) o).tool.equals(tool) && ((ToolCall) o).arguments.equals(arguments)
                && Objects.equals(((ToolCall) o).scope, scope);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scope, tool, arguments);
    }

    /** @return the tool and scope; never the arguments, which may hold secrets */
    @Override
    public String toString() {
        return "ToolCall{" + tool + ", " + scope + '}';
    }
}
