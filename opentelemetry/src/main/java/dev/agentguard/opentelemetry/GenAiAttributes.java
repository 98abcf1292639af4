package dev.agentguard.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * The attribute keys and values of the OpenTelemetry GenAI semantic conventions that the guard's spans carry.
 * Defined here because the conventions are still in development and the incubating semconv artifact's constants
 * are deprecated as they move; the names are those of the conventions.
 *
 * <p>Token counts follow the conventions, not the guard's canonical usage: {@link #USAGE_INPUT_TOKENS} includes
 * cached input (reads and writes), {@link #USAGE_OUTPUT_TOKENS} includes reasoning.
 */
public final class GenAiAttributes {

    /** {@code gen_ai.operation.name}: {@value #CHAT}, {@value #EXECUTE_TOOL} or {@value #INVOKE_AGENT}. */
    public static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
    /** {@code gen_ai.provider.name}, e.g. {@code openai}, {@code anthropic}, {@code aws.bedrock}. */
    public static final AttributeKey<String> PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
    /** {@code gen_ai.request.model}: the model the request went to (after any downgrade). */
    public static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    /** {@code gen_ai.response.model}: the model the provider says answered. */
    public static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    /** {@code gen_ai.response.id}. */
    public static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    /** {@code gen_ai.response.finish_reasons}. */
    public static final AttributeKey<List<String>> RESPONSE_FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    /** {@code gen_ai.request.max_tokens}: the output cap sent with the request. */
    public static final AttributeKey<Long> REQUEST_MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    /** {@code gen_ai.usage.input_tokens}: all input, cached included. */
    public static final AttributeKey<Long> USAGE_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    /** {@code gen_ai.usage.output_tokens}: all output, reasoning included. */
    public static final AttributeKey<Long> USAGE_OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    /** {@code gen_ai.usage.cache_read.input_tokens}. */
    public static final AttributeKey<Long> USAGE_CACHE_READ_INPUT_TOKENS =
            AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
    /** {@code gen_ai.usage.cache_creation.input_tokens}. */
    public static final AttributeKey<Long> USAGE_CACHE_CREATION_INPUT_TOKENS =
            AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
    /** {@code gen_ai.conversation.id}: the guard's session. */
    public static final AttributeKey<String> CONVERSATION_ID = AttributeKey.stringKey("gen_ai.conversation.id");
    /** {@code gen_ai.agent.name}: the guard's agent. */
    public static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
    /** {@code gen_ai.tool.name}. */
    public static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    /** {@code gen_ai.tool.call.arguments}: only when content capture is on, redacted. */
    public static final AttributeKey<String> TOOL_CALL_ARGUMENTS = AttributeKey.stringKey("gen_ai.tool.call.arguments");
    /** {@code gen_ai.input.messages}: only when content capture is on, redacted (JSON). */
    public static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    /** {@code gen_ai.output.messages}: only when content capture is on, redacted (JSON). */
    public static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
    /** {@code error.type}: the error's class, or {@code agentguard.<action>} for a call the guard refused. */
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    /** Operation of a model call. */
    public static final String CHAT = "chat";
    /** Operation of a tool call. */
    public static final String EXECUTE_TOOL = "execute_tool";
    /** Operation of an AI-service invocation. */
    public static final String INVOKE_AGENT = "invoke_agent";

    private GenAiAttributes() {
    }
}
