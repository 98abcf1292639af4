package dev.agentguard.langchain4j.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Iterator;
import java.util.Map;

/**
 * Counts the {@code prompt_tokens} of a chat-completions request body the way OpenAI documents it (the cookbook's
 * "How to count tokens with tiktoken": 3 per message plus its role, content and name, 3 to prime the reply, and
 * its formula for function definitions), from the JSON that reached the stub, with jtokkit. Tool calls and tool
 * results, which the cookbook leaves out, count 3 plus the function's name and arguments per call, and as a
 * message of role {@code tool}. This is not OpenAI's own figure (no network here): it is the documented rule,
 * applied to what went over the wire, independently of the adapter's code that counts the {@code ChatRequest}.
 */
final class OpenAiCountingStub {

    private static final EncodingRegistry REGISTRY = Encodings.newDefaultEncodingRegistry();

    private OpenAiCountingStub() {
    }

    static long promptTokens(JsonNode body) {
        String model = body.get("model").asText();
        boolean cl100k = model.startsWith("gpt-3.5") || model.startsWith("gpt-4") && !model.startsWith("gpt-4o")
                && !model.startsWith("gpt-4.");
        Encoding enc = REGISTRY.getEncoding(cl100k ? EncodingType.CL100K_BASE : EncodingType.O200K_BASE);
        long n = 3;
        for (JsonNode m : body.get("messages")) {
            n += 3 + count(enc, m.get("role").asText());
            JsonNode content = m.get("content");
            if (content != null && content.isTextual()) {
                n += count(enc, content.asText());
            } else if (content != null && content.isArray()) {
                for (JsonNode part : content) {
                    if ("text".equals(part.path("type").asText())) {
                        n += count(enc, part.get("text").asText());
                    }
                }
            }
            if (m.has("name")) {
                n += count(enc, m.get("name").asText()) + 1;
            }
            for (JsonNode call : m.path("tool_calls")) {
                JsonNode f = call.get("function");
                n += 3 + count(enc, f.get("name").asText()) + count(enc, f.get("arguments").asText());
            }
        }
        JsonNode tools = body.path("tools");
        if (tools.isArray() && tools.size() > 0) {
            for (JsonNode t : tools) {
                JsonNode f = t.get("function");
                n += (cl100k ? 10 : 7) + count(enc, f.get("name").asText() + ":" + f.path("description").asText(""));
                JsonNode properties = f.path("parameters").path("properties");
                if (properties.size() > 0) {
                    n += 3 + properties(enc, properties);
                }
            }
            n += 12;
        }
        return n;
    }

    private static long properties(Encoding enc, JsonNode properties) {
        long n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            JsonNode v = p.getValue();
            n += 3;
            if (v.has("enum")) {
                n -= 3;
                for (JsonNode item : v.get("enum")) {
                    n += 3 + count(enc, item.asText());
                }
            }
            n += count(enc, p.getKey() + ":" + v.path("type").asText("") + ":" + v.path("description").asText(""));
            if (v.has("properties")) {
                n += properties(enc, v.get("properties"));
            } else if (v.path("items").has("properties")) {
                n += properties(enc, v.get("items").get("properties"));
            }
        }
        return n;
    }

    private static long count(Encoding enc, String s) {
        return enc.countTokensOrdinary(s);
    }
}
