/**
 * LangChain4j decorators: {@link dev.agentguard.langchain4j.GuardedChatModel},
 * {@link dev.agentguard.langchain4j.GuardedStreamingChatModel} and
 * {@link dev.agentguard.langchain4j.GuardedToolExecutor} admit every call through a {@link dev.agentguard.core.Guard}
 * and settle it with the provider's usage, normalised by {@link dev.agentguard.langchain4j.TokenUsageNormalizer};
 * {@link dev.agentguard.langchain4j.GuardedAiServices} wires a whole AI service and attributes its calls to the
 * {@code @MemoryId} session. A refusal is a {@link dev.agentguard.langchain4j.GuardBlockedException}.
 *
 * <p>Provider modules (OpenAI, Anthropic, Gemini, Bedrock, ...) are optional at run time.
 */
package dev.agentguard.langchain4j;
