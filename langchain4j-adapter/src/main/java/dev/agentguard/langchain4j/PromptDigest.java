package dev.agentguard.langchain4j;

import dev.agentguard.core.ScriptAwareEstimator;
import dev.agentguard.core.TokenEstimator;
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
 * from (every message's text, tool calls and results, and the tool specifications), the default estimate of its
 * tokens, the number of its non-text parts, and a 64-bit fingerprint of the messages and tools for
 * {@code loops.repeatedModelRequest}.
 *
 * <p>The fingerprint is FNV-1a over the same text plus a marker per message type, so that a user message and an
 * assistant message with the same text differ. It only has to tell "the same request again" from "another
 * request"; it is not a security hash.
 *
 * <p>The estimate is {@link ScriptAwareEstimator}'s, walked in the fingerprint's loop (whose multiply chain leaves
 * the processor idle enough that the table look-ups come almost free), per message plus the overheads a provider
 * adds around it, which bound OpenAI's: {@value #MESSAGE_OVERHEAD} tokens a message (OpenAI's 3 and the role),
 * one more for a participant name, {@value #TOOL_CALL_OVERHEAD} a tool call, {@value #TOOL_OVERHEAD} a tool
 * definition and {@value #TOOLS_OVERHEAD} once for having tools, {@value #REPLY_PRIMING} for the reply's priming.
 * {@link #estimate(ChatMessage)} gives the same figure for one message, for truncation. Non-text parts (images,
 * audio, PDF) are counted, not sized: the caller charges each a bound ({@link PromptTokens}).
 */
final class PromptDigest {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** Tokens a provider adds around each message: OpenAI's 3 and the role's 1. */
    static final int MESSAGE_OVERHEAD = 4;
    /** Tokens around each tool call of an assistant message. */
    static final int TOOL_CALL_OVERHEAD = 3;
    /** Tokens around each tool definition (OpenAI's cookbook counts 7 to 10). */
    static final int TOOL_OVERHEAD = 10;
    /** Tokens added once when a request has tools (OpenAI's cookbook counts 12). */
    static final int TOOLS_OVERHEAD = 12;
    /** Tokens that prime every reply ({@code <|start|>assistant<|message|>}). */
    static final int REPLY_PRIMING = 3;

    /** The builder itself, never changed after {@link #of}: a prompt of 100k characters is not copied again. */
    private final CharSequence text;
    private final long fingerprint;
    private final long estimate;
    private final int nonTextParts;

    private PromptDigest(CharSequence text, long fingerprint, long estimate, int nonTextParts) {
        this.text = text;
        this.fingerprint = fingerprint;
        this.estimate = estimate;
        this.nonTextParts = nonTextParts;
    }

    static PromptDigest of(List<ChatMessage> messages, List<ToolSpecification> tools) {
        return of(messages, tools, true);
    }

    /**
     * @param messages the request's messages
     * @param tools its tool definitions
     * @param estimate whether to walk the default estimate too; without it {@link #estimate()} is -1
     * @return the digest
     */
    static PromptDigest of(List<ChatMessage> messages, List<ToolSpecification> tools, boolean estimate) {
        StringBuilder sb = new StringBuilder(256);
        long h = FNV_OFFSET;
        long tokens = REPLY_PRIMING;
        int nonText = 0;
        if (messages != null) {
            for (ChatMessage m : messages) {
                int start = sb.length();
                appendText(m, sb);
                h = mix(h, m == null ? '0' : m.type().ordinal() + 'a');
                nonText += nonTextParts(m);
                if (!estimate) {
                    h = mix(h, sb, start);
                    sb.append('\n');
                    continue;
                }
                // the fingerprint and the estimate in one loop (see the class comment)
                long units = 0;
                int previous = ScriptAwareEstimator.START;
                for (int i = start, n = sb.length(); i < n; i++) {
                    char c = sb.charAt(i);
                    h = (h ^ c) * FNV_PRIME;
                    int k = ScriptAwareEstimator.classOf(c);
                    units += ScriptAwareEstimator.cost(previous, k);
                    previous = k;
                }
                tokens += ScriptAwareEstimator.tokens(units) + overhead(m);
                sb.append('\n');
            }
        }
        if (tools != null && !tools.isEmpty()) {
            tokens += TOOLS_OVERHEAD;
            for (ToolSpecification t : tools) {
                int start = sb.length();
                appendTool(t, sb);
                h = mix(h, 't');
                h = mix(h, sb, start);
                if (estimate) {
                    tokens += TOOL_OVERHEAD + TokenEstimator.conservative().estimate(sb.subSequence(start, sb.length()));
                }
                sb.append('\n');
            }
        }
        // a fingerprint of 0 means "unknown" to the guard
        return new PromptDigest(sb, h == 0 ? 1 : h, estimate ? tokens : -1, nonText);
    }

    /**
     * @param message one message
     * @return its default estimate with its overheads, as {@link #of} counts it; non-text parts not included
     */
    static long estimate(ChatMessage message) {
        return TokenEstimator.conservative().estimate(text(message)) + overhead(message);
    }

    /**
     * @param tools the request's tool definitions
     * @return their default estimate with the overheads and the reply's priming, as {@link #of} counts them
     */
    static long estimateFixed(List<ToolSpecification> tools) {
        long tokens = REPLY_PRIMING;
        if (tools != null && !tools.isEmpty()) {
            tokens += TOOLS_OVERHEAD;
            StringBuilder sb = new StringBuilder();
            for (ToolSpecification t : tools) {
                sb.setLength(0);
                appendTool(t, sb);
                tokens += TOOL_OVERHEAD + TokenEstimator.conservative().estimate(sb);
            }
        }
        return tokens;
    }

    private static void appendTool(ToolSpecification t, StringBuilder sb) {
        sb.append(t.name()).append(' ');
        if (t.description() != null) {
            sb.append(t.description()).append(' ');
        }
        if (t.parameters() != null) {
            sb.append(t.parameters());
        }
    }

    private static long overhead(ChatMessage m) {
        long tokens = MESSAGE_OVERHEAD;
        if (m instanceof UserMessage && ((UserMessage) m).name() != null) {
            tokens++;
        } else if (m instanceof AiMessage) {
            tokens += (long) TOOL_CALL_OVERHEAD * ((AiMessage) m).toolExecutionRequests().size();
        }
        return tokens;
    }

    /** @return the parts of a message that are not text: images, audio, video, PDF files */
    static int nonTextParts(ChatMessage m) {
        List<Content> contents = m instanceof UserMessage ? ((UserMessage) m).contents()
                : m instanceof ToolExecutionResultMessage ? ((ToolExecutionResultMessage) m).contents() : null;
        int parts = 0;
        if (contents != null) {
            for (Content c : contents) {
                if (!(c instanceof TextContent)) {
                    parts++;
                }
            }
        }
        return parts;
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

    /**
     * @return the default estimate of the whole request with its overheads, without its non-text parts; -1 when
     *     not asked for
     */
    long estimate() {
        return estimate;
    }

    /** @return how many non-text parts (images, audio, PDF files) the messages hold */
    int nonTextParts() {
        return nonTextParts;
    }
}
