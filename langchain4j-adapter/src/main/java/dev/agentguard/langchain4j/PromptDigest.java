package dev.agentguard.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;

/**
 * What the guard needs to know about a request's prompt, computed in one pass: the text to estimate its tokens
 * from (every message's text, tool calls and results, and the tool specifications), and a 64-bit fingerprint of
 * the messages and tools for {@code loops.repeatedModelRequest}.
 *
 * <p>The fingerprint is FNV-1a over the same text plus a marker per message type, so that a user message and an
 * assistant message with the same text differ. It only has to tell "the same request again" from "another
 * request"; it is not a security hash. Images and other non-text content are not counted (a provider tokenizer
 * would be needed to size them).
 */
final class PromptDigest {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** The builder itself, never changed after {@link #of}: a prompt of 100k characters is not copied again. */
    private final CharSequence text;
    private final long fingerprint;

    private PromptDigest(CharSequence text, long fingerprint) {
        this.text = text;
        this.fingerprint = fingerprint;
    }

    static PromptDigest of(List<ChatMessage> messages, List<ToolSpecification> tools) {
        StringBuilder sb = new StringBuilder(256);
        long h = FNV_OFFSET;
        if (messages != null) {
            for (ChatMessage m : messages) {
                int start = sb.length();
                appendText(m, sb);
                h = mix(h, m == null ? '0' : m.type().ordinal() + 'a');
                h = mix(h, sb, start);
                sb.append('\n');
            }
        }
        if (tools != null) {
            for (ToolSpecification t : tools) {
                int start = sb.length();
                sb.append(t.name()).append(' ');
                if (t.description() != null) {
                    sb.append(t.description()).append(' ');
                }
                if (t.parameters() != null) {
                    sb.append(t.parameters());
                }
                h = mix(h, 't');
                h = mix(h, sb, start);
                sb.append('\n');
            }
        }
        return new PromptDigest(sb, h == 0 ? 1 : h); // 0 means "unknown" to the guard
    }

    /** @return the text of a message as it is sent: its text, thinking, tool calls and tool results */
    static String text(ChatMessage message) {
        StringBuilder sb = new StringBuilder();
        appendText(message, sb);
        return sb.toString();
    }

    private static void appendText(ChatMessage m, StringBuilder sb) {
        if (m instanceof SystemMessage) {
            sb.append(((SystemMessage) m).text());
        } else if (m instanceof UserMessage) {
            UserMessage u = (UserMessage) m;
            if (u.name() != null) {
                sb.append(u.name()).append(": ");
            }
            appendContents(u.contents(), sb);
        } else if (m instanceof AiMessage) {
            AiMessage ai = (AiMessage) m;
            if (ai.thinking() != null) {
                sb.append(ai.thinking()).append(' ');
            }
            if (ai.text() != null) {
                sb.append(ai.text());
            }
            for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                sb.append(' ').append(r.name()).append(' ').append(r.arguments());
            }
        } else if (m instanceof ToolExecutionResultMessage) {
            ToolExecutionResultMessage r = (ToolExecutionResultMessage) m;
            sb.append(r.toolName()).append(' ');
            appendContents(r.contents(), sb);
        } else if (m != null) {
            sb.append(m); // custom messages: their string form is the best size we have
        }
    }

    private static void appendContents(List<Content> contents, StringBuilder sb) {
        if (contents == null) {
            return;
        }
        for (Content c : contents) {
            if (c instanceof TextContent) {
                sb.append(((TextContent) c).text());
            }
        }
    }

    private static long mix(long h, int c) {
        return (h ^ c) * FNV_PRIME;
    }

    private static long mix(long h, CharSequence s, int from) {
        for (int i = from; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * FNV_PRIME;
        }
        return h;
    }

    /** @return the prompt text to estimate tokens from */
    CharSequence text() {
        return text;
    }

    /** @return the request fingerprint, never 0 */
    long fingerprint() {
        return fingerprint;
    }
}
