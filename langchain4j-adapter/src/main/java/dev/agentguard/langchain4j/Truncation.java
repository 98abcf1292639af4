package dev.agentguard.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Shortens a conversation to fit a token target, for a {@code truncate} decision.
 *
 * <p>Messages are grouped into units that are kept or dropped whole: an assistant message that calls tools
 * together with the tool results that follow it (providers reject a tool call without its result and a result
 * without its call), and every other message on its own. System messages and the latest user message are never
 * dropped. The oldest units go first until the estimate fits; then units before the first remaining user message
 * are dropped too, because providers such as Anthropic and Gemini reject a conversation that opens with an
 * assistant turn. If the pinned messages alone are over the target, the result says so ({@link Result#tokens}
 * over the target) and the guard refuses the call rather than send it over the cap.
 *
 * <p>Sizes are those admission used ({@link PromptTokens}: OpenAI's tokenizer, the default estimate or the
 * application's estimator, per message with what the provider adds around it), so that the conversation is cut
 * no further than that count needs. Linear in the number of messages.
 */
final class Truncation {

    /** What was kept and what dropping cost; {@link #droppedMessages} is 0 when nothing had to go. */
    static final class Result {
        final List<ChatMessage> messages;
        final int droppedMessages;
        final long droppedTokens;
        /** The estimated size of what is kept, fixed tokens included: over the target when the pinned part is. */
        final long tokens;

        Result(List<ChatMessage> messages, int droppedMessages, long droppedTokens, long tokens) {
            this.messages = messages;
            this.droppedMessages = droppedMessages;
            this.droppedTokens = droppedTokens;
            this.tokens = tokens;
        }
    }

    private static final class Unit {
        final int from;
        final int to; // exclusive
        final long tokens;
        final boolean pinned;
        final boolean user;
        boolean dropped;

        Unit(int from, int to, long tokens, boolean pinned, boolean user) {
            this.from = from;
            this.to = to;
            this.tokens = tokens;
            this.pinned = pinned;
            this.user = user;
        }
    }

    private Truncation() {
    }

    /**
     * @param messages the conversation, oldest first
     * @param fixedTokens tokens that stay whatever is dropped (the tool specifications)
     * @param targetTokens the prompt size to reach
     * @param size the tokens of one message
     * @return the shortened conversation and what was dropped
     */
    static Result fit(List<ChatMessage> messages, long fixedTokens, long targetTokens, ToLongFunction<ChatMessage> size) {
        int lastUser = -1;
        for (int i = messages.size() - 1; i >= 0 && lastUser < 0; i--) {
            if (messages.get(i) instanceof UserMessage) {
                lastUser = i;
            }
        }
        List<Unit> units = new ArrayList<>();
        long total = fixedTokens;
        for (int i = 0; i < messages.size(); ) {
            ChatMessage m = messages.get(i);
            int end = i + 1;
            if (m instanceof AiMessage && ((AiMessage) m).hasToolExecutionRequests()) {
                while (end < messages.size() && messages.get(end) instanceof ToolExecutionResultMessage) {
                    end++;
                }
            }
            long tokens = 0;
            for (int j = i; j < end; j++) {
                tokens += size.applyAsLong(messages.get(j));
            }
            boolean pinned = m instanceof SystemMessage || i == lastUser;
            units.add(new Unit(i, end, tokens, pinned, m instanceof UserMessage));
            total += tokens;
            i = end;
        }
        int droppedMessages = 0;
        long droppedTokens = 0;
        for (Unit u : units) {
            if (total <= targetTokens) {
                break;
            }
            if (!u.pinned) {
                u.dropped = true;
                total -= u.tokens;
                droppedMessages += u.to - u.from;
                droppedTokens += u.tokens;
            }
        }
        if (droppedMessages == 0) {
            return new Result(messages, 0, 0, total);
        }
        for (Unit u : units) {
            if (u.dropped || u.pinned && !u.user) {
                continue; // system messages do not open the conversation
            }
            if (u.user) {
                break;
            }
            u.dropped = true;
            droppedMessages += u.to - u.from;
            droppedTokens += u.tokens;
            total -= u.tokens;
        }
        List<ChatMessage> kept = new ArrayList<>(messages.size() - droppedMessages);
        for (Unit u : units) {
            if (!u.dropped) {
                kept.addAll(messages.subList(u.from, u.to));
            }
        }
        return new Result(kept, droppedMessages, droppedTokens, total);
    }
}
