package dev.agentguard.langchain4j;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts a chat request as OpenAI bills it, with jtokkit: o200k for gpt-4o, gpt-4.1, gpt-4.5, gpt-5, the o-series and
 * any model name it does not know, cl100k for gpt-4, gpt-4-turbo and gpt-3.5.
 *
 * <p>The rule is the one of OpenAI's cookbook ("How to count tokens with tiktoken"): each message costs 3 tokens
 * plus its role and content (a name costs its tokens and 1 more), every reply is primed with 3, and tool definitions
 * cost 7 each on o200k (10 on cl100k) plus {@code name:description}, 3 for having properties and, per property,
 * 3 plus {@code name:type:description} (an enum -3, and 3 plus its tokens per value), and 12 once. The cookbook
 * leaves out what this class adds by the same pattern: nested properties count like top-level ones, an assistant's
 * tool call costs 3 plus its function name and arguments, a tool result is a message of role {@code tool}. Images
 * and other non-text parts are charged {@link PromptTokens#nonTextPartTokens}.
 *
 * <p>Only loaded when {@link Providers#JTOKKIT} says jtokkit is present. Each encoding is loaded on first use (a
 * few hundred milliseconds, once) and shared; counting is thread-safe and linear in the text.
 */
final class OpenAiTokenizer extends PromptTokens {

    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

    /** The encodings, each loaded on first use. */
    private static final class O200k {
        static final Encoding ENCODING = REGISTRY.getEncoding(EncodingType.O200K_BASE);
    }

    private static final class Cl100k {
        static final Encoding ENCODING = REGISTRY.getEncoding(EncodingType.CL100K_BASE);
    }

    static final int PER_MESSAGE = 3;
    static final int PER_NAME = 1;
    static final int REPLY_PRIMING = 3;
    static final int PER_TOOL_CALL = 3;
    static final int PROPERTIES = 3;
    static final int PER_PROPERTY = 3;
    static final int ENUM = -3;
    static final int PER_ENUM_VALUE = 3;
    static final int TOOLS_END = 12;

    private final Encoding encoding;
    private final int perFunction;
    private final long perPart;

    private OpenAiTokenizer(Encoding encoding, int perFunction, long perPart) {
        this.encoding = encoding;
        this.perFunction = perFunction;
        this.perPart = perPart;
    }

    /**
     * @param model a model name
     * @return the tokenizer of that model
     */
    static OpenAiTokenizer forModel(String model) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        if (m.startsWith("ft:")) {
            m = m.substring(3);
        }
        boolean cl100k = m.startsWith("gpt-3.5") || m.startsWith("gpt-35")
                || m.startsWith("gpt-4") && !m.startsWith("gpt-4o") && !m.startsWith("gpt-4.");
        long perPart = nonTextPartTokens(model);
        return cl100k ? new OpenAiTokenizer(Cl100k.ENCODING, 10, perPart)
                : new OpenAiTokenizer(O200k.ENCODING, 7, perPart);
    }

    /** @return the encoding's name, {@code o200k_base} or {@code cl100k_base} */
    String encodingName() {
        return encoding.getName();
    }

    private long count(String text) {
        return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    @Override
    long request(PromptDigest digest, List<ChatMessage> messages, List<ToolSpecification> tools) {
        long tokens = fixed(tools);
        if (messages != null) {
            for (ChatMessage m : messages) {
                tokens += message(m);
            }
        }
        return tokens;
    }

    @Override
    long message(ChatMessage m) {
        long tokens = PER_MESSAGE;
        if (m instanceof SystemMessage) {
            tokens += count("system") + count(((SystemMessage) m).text());
        } else if (m instanceof UserMessage) {
            UserMessage u = (UserMessage) m;
            tokens += count("user") + contents(u.contents());
            if (u.name() != null) {
                tokens += count(u.name()) + PER_NAME;
            }
        } else if (m instanceof AiMessage) {
            AiMessage ai = (AiMessage) m;
            tokens += count("assistant") + count(ai.text());
            for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                tokens += PER_TOOL_CALL + count(r.name()) + count(r.arguments());
            }
        } else if (m instanceof ToolExecutionResultMessage) {
            tokens += count("tool") + contents(((ToolExecutionResultMessage) m).contents());
        } else if (m != null) {
            tokens += count(PromptDigest.text(m));
        }
        return tokens;
    }

    private long contents(List<Content> contents) {
        long tokens = 0;
        if (contents != null) {
            for (Content c : contents) {
                tokens += c instanceof TextContent ? count(((TextContent) c).text()) : perPart;
            }
        }
        return tokens;
    }

    @Override
    long fixed(List<ToolSpecification> tools) {
        long tokens = REPLY_PRIMING;
        if (tools == null || tools.isEmpty()) {
            return tokens;
        }
        for (ToolSpecification t : tools) {
            tokens += perFunction + count(t.name() + ":" + (t.description() == null ? "" : t.description()));
            JsonObjectSchema parameters = t.parameters();
            if (parameters != null && !parameters.properties().isEmpty()) {
                tokens += PROPERTIES + properties(parameters.properties());
            }
        }
        return tokens + TOOLS_END;
    }

    private long properties(Map<String, JsonSchemaElement> properties) {
        long tokens = 0;
        for (Map.Entry<String, JsonSchemaElement> p : properties.entrySet()) {
            JsonSchemaElement e = p.getValue();
            tokens += PER_PROPERTY;
            if (e instanceof JsonEnumSchema) {
                tokens += ENUM;
                for (String v : ((JsonEnumSchema) e).enumValues()) {
                    tokens += PER_ENUM_VALUE + count(v);
                }
            }
            tokens += count(p.getKey() + ":" + type(e) + ":" + (e.description() == null ? "" : e.description()));
            if (e instanceof JsonObjectSchema) {
                tokens += properties(((JsonObjectSchema) e).properties());
            } else if (e instanceof JsonArraySchema && ((JsonArraySchema) e).items() instanceof JsonObjectSchema) {
                tokens += properties(((JsonObjectSchema) ((JsonArraySchema) e).items()).properties());
            }
        }
        return tokens;
    }

    /** @return the JSON Schema type LangChain4j sends for an element */
    static String type(JsonSchemaElement e) {
        if (e instanceof JsonStringSchema || e instanceof JsonEnumSchema) {
            return "string";
        }
        if (e instanceof JsonIntegerSchema) {
            return "integer";
        }
        if (e instanceof JsonNumberSchema) {
            return "number";
        }
        if (e instanceof JsonBooleanSchema) {
            return "boolean";
        }
        if (e instanceof JsonArraySchema) {
            return "array";
        }
        return e instanceof JsonObjectSchema ? "object" : "";
    }
}
