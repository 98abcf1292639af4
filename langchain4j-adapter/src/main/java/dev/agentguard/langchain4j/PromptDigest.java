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
import java.lang.ref.WeakReference;
import java.util.List;

/**
 * What the guard needs to know about a request's prompt, computed in one pass: the text to estimate its tokens
 * from (every message's text, tool calls and results, and the tool specifications), the default estimate of its
 * tokens, the number of its non-text parts, and a 64-bit fingerprint of the messages and tools for
 * {@code loops.repeatedModelRequest}.
 *
 * <p>The fingerprint is FNV-1a over 64-bit units, a marker per message type (so that a user message and an
 * assistant message with the same text differ) and, per text, its {@link String#hashCode()} and length: a
 * {@code String} keeps its hash once computed, and a conversation sends the same message strings on every call, so
 * only new text costs a pass over its characters for the fingerprint. It only has to tell "the same request
 * again" from "another request"; it is not a security hash (a text made to share another's hash and length is
 * taken for it, which can only get its own agent refused: a model can do that by repeating itself).
 *
 * <p>The estimate is {@link ScriptAwareEstimator}'s, walked over the characters where they lie (a long text walked
 * lately is not walked again: see {@link Walked}), per message plus
 * the overheads a provider
 * adds around it, which bound OpenAI's: {@value #MESSAGE_OVERHEAD} tokens a message (OpenAI's 3 and the role),
 * one more for a participant name, {@value #TOOL_CALL_OVERHEAD} a tool call, {@value #TOOL_OVERHEAD} a tool
 * definition and {@value #TOOLS_OVERHEAD} once for having tools, {@value #REPLY_PRIMING} for the reply's priming.
 * {@link #estimate(ChatMessage)} gives the same figure for one message, for truncation. Non-text parts (images,
 * audio, PDF) are counted, not sized: the caller charges each a bound ({@link PromptTokens}).
 */
class PromptDigest {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /**
     * @return the running fingerprint with a text added: the text's {@link String#hashCode()} and its length as one
     *     64-bit unit. A {@code String} computes its hash once and keeps it, and a conversation sends the same
     *     message strings again on every call: only a new message costs a pass over its characters
     */
    private static long hashOf(long hash, CharSequence s) {
        int h32 = s.toString().hashCode(); // a String is its own toString, with its kept hash
        return (hash ^ ((long) s.length() << 32 | h32 & 0xffffffffL)) * FNV_PRIME;
    }

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

    // A digest is walked into itself (one object per request rather than a walk and its result; the decorators'
    // plan of a call is its digest too, see CallPlanner.Planned); these three are set once, at the end of walk(),
    // before anyone else reads them
    private long fingerprint;
    private long estimate;
    private int nonTextParts;

    // the walk: one pass over the prompt's characters, part by part (a message, a tool), for the default estimate
    // of each part and the fingerprint of its texts (see hashOf)
    private long hash = FNV_OFFSET;
    private long units;
    private int previous = ScriptAwareEstimator.START;
    /** The prompt kept whole, for an application's own estimator (nothing is estimated then); else null. */
    private final StringBuilder copy;

    /** @param estimate whether to walk the default estimate; without it the text is kept whole instead */
    PromptDigest(boolean estimate) {
        this.copy = estimate ? null : new StringBuilder(256);
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
        PromptDigest digest = new PromptDigest(estimate);
        digest.walk(messages, tools);
        return digest;
    }

    /**
     * Walks a request into this digest, once. With the default estimate, the characters are hashed and sized where
     * they lie, never copied; only an application's own estimator needs the prompt as one text.
     *
     * @param messages the request's messages
     * @param tools its tool definitions
     */
    final void walk(List<ChatMessage> messages, List<ToolSpecification> tools) {
        long tokens = REPLY_PRIMING;
        int nonText = 0;
        if (messages != null) {
            for (int i = 0, n = messages.size(); i < n; i++) { // indexed: no iterator per call
                ChatMessage m = messages.get(i);
                mark(m == null ? '0' : m.type().ordinal() + 'a');
                appendText(m, this);
                nonText += nonTextParts(m);
                tokens += endPart() + overhead(m);
            }
        }
        if (tools != null && !tools.isEmpty()) {
            tokens += TOOLS_OVERHEAD;
            for (ToolSpecification t : tools) {
                mark('t');
                appendTool(t, this);
                tokens += TOOL_OVERHEAD + endPart();
            }
        }
        long h = hash;
        this.fingerprint = h == 0 ? 1 : h; // a fingerprint of 0 means "unknown" to the guard
        this.estimate = copy == null ? tokens : -1;
        this.nonTextParts = nonText;
    }

    void mark(int marker) {
        hash = (hash ^ marker) * FNV_PRIME;
    }

    PromptDigest append(CharSequence s) {
        hash = hashOf(hash, s);
        if (copy != null) {
            copy.append(s);
            return this;
        }
        if (s.length() >= Walked.MIN_LENGTH && s instanceof String text) {
            Walked w = Walked.of(text);
            units += ScriptAwareEstimator.cost(previous, w.first) + w.rest;
            previous = w.last;
            return this;
        }
        long u = units;
        int prev = previous;
        for (int i = 0, n = s.length(); i < n; i++) {
            int k = ScriptAwareEstimator.classOf(s.charAt(i));
            u += ScriptAwareEstimator.cost(prev, k);
            prev = k;
        }
        units = u;
        previous = prev;
        return this;
    }

    PromptDigest append(char c) {
        hash = (hash ^ c) * FNV_PRIME;
        if (copy != null) {
            copy.append(c);
            return this;
        }
        int k = ScriptAwareEstimator.classOf(c);
        units += ScriptAwareEstimator.cost(previous, k);
        previous = k;
        return this;
    }

    PromptDigest append(Object o) {
        return append(String.valueOf(o));
    }

    /** @return the default estimate of the part just walked; the next part starts afresh */
    long endPart() {
        if (copy != null) {
            copy.append('\n');
            return 0;
        }
        long tokens = ScriptAwareEstimator.tokens(units);
        units = 0;
        previous = ScriptAwareEstimator.START;
        return tokens;
    }

    /** @return the prompt text for an application's own estimator; null when the default estimate was walked */
    CharSequence text() {
        return copy; // never changed after the walk: a prompt of 100k characters is not copied again
    }

    /**
     * What walking a text adds to the default estimate, kept for the texts walked lately: a conversation sends its
     * whole history on every call, the same message strings each time, so that without this every call would walk
     * every character of the conversation again (a 50-message conversation of 2 KB messages is 100 K characters a
     * call), and with it only a new message's characters are walked.
     *
     * <p>A text's cost depends on the class of the character before it only through its first character, so one
     * entry serves a text wherever it stands: its first character's class, the units of the rest, and its last
     * character's class (for what follows). Texts are matched by identity (a {@code String} never changes), in a
     * direct-mapped table of {@value #SLOTS} entries that hold them weakly: it keeps no prompt alive, and an entry
     * lost to another text or to the collector only costs a walk. Slots are written without synchronisation: an
     * entry's own fields are final, and a racing reader sees a whole entry, or one whose text it does not match.
     */
    static final class Walked extends WeakReference<String> {
        /** Texts shorter than this are walked: as fast as a lookup. */
        static final int MIN_LENGTH = 32;
        private static final int SLOTS = 1024;
        private static final Walked[] TABLE = new Walked[SLOTS];

        final int first;
        final long rest;
        final int last;

        private Walked(String text, int first, long rest, int last) {
            super(text);
            this.first = first;
            this.rest = rest;
            this.last = last;
        }

        /** @return the walk of a text of at least one character: found, else walked now and kept */
        static Walked of(String text) {
            int h = text.hashCode(); // kept by the string: hashOf has just computed it
            int slot = (h ^ h >>> 16) & (SLOTS - 1);
            Walked w = TABLE[slot];
            if (w != null && w.refersTo(text)) {
                return w;
            }
            int first = ScriptAwareEstimator.classOf(text.charAt(0));
            int prev = first;
            long rest = 0;
            for (int i = 1, n = text.length(); i < n; i++) {
                int k = ScriptAwareEstimator.classOf(text.charAt(i));
                rest += ScriptAwareEstimator.cost(prev, k);
                prev = k;
            }
            w = new Walked(text, first, rest, prev);
            TABLE[slot] = w;
            return w;
        }
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
            PromptDigest walk = new PromptDigest(true);
            for (ToolSpecification t : tools) {
                appendTool(t, walk);
                tokens += TOOL_OVERHEAD + walk.endPart();
            }
        }
        return tokens;
    }

    private static void appendTool(ToolSpecification t, PromptDigest sb) {
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
            for (int i = 0, n = contents.size(); i < n; i++) { // indexed: no iterator per message
                if (!(contents.get(i) instanceof TextContent)) {
                    parts++;
                }
            }
        }
        return parts;
    }

    /** @return the text of a message as it is sent: its text, thinking, tool calls and tool results */
    static String text(ChatMessage message) {
        PromptDigest copying = new PromptDigest(false);
        appendText(message, copying);
        return copying.copy.toString();
    }

    private static void appendText(ChatMessage m, PromptDigest sb) {
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

    private static void appendContents(List<Content> contents, PromptDigest sb) {
        if (contents == null) {
            return;
        }
        for (int i = 0, n = contents.size(); i < n; i++) { // indexed: no iterator per message
            if (contents.get(i) instanceof TextContent text) {
                sb.append(text.text());
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
