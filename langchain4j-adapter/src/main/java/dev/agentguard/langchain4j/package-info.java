/**
 * LangChain4j decorators ({@code GuardedChatModel}, {@code GuardedStreamingChatModel}, {@code GuardedToolExecutor}).
 * Filled by the adapter issue; empty until then.
 */
package dev.agentguard.langchain4j;
