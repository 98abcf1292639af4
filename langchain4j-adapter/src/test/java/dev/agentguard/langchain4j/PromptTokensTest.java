package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.TokenCounting;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which counter sizes a call, and that admission and truncation get one figure from it. */
class PromptTokensTest {

    private static final Encoding O200K = Encodings.newDefaultEncodingRegistry()
            .getEncoding(EncodingType.O200K_BASE);

    private static final ToolSpecification LOOKUP = ToolSpecification.builder().name("lookup_order")
            .description("Looks an order up by its id")
            .parameters(JsonObjectSchema.builder().addStringProperty("orderId", "the order id, like A-1042")
                    .addEnumProperty("detail", List.of("short", "full")).required("orderId").build())
            .build();

    static List<ChatMessage> conversation() {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call_1").name("lookup_order")
                .arguments("{\"orderId\":\"A-1042\"}").build();
        List<ChatMessage> m = new ArrayList<>();
        m.add(SystemMessage.from("你是一个客服助手。请用中文简洁地回答。"));
        m.add(UserMessage.from("您好，我三周前订购了一双跑步鞋（订单号 A-1042），包裹在哪里？"));
        m.add(AiMessage.from(List.of(call)));
        m.add(ToolExecutionResultMessage.from(call, "{\"status\":\"in_transit\",\"carrier\":\"dhl\"}"));
        m.add(AiMessage.from("包裹正在运输中，预计明天送达。"));
        m.add(UserMessage.from("jane", "Thanks! Can you also check order A-1043?"));
        return m;
    }

    private static GuardConfig config(TokenCounting counting) {
        return GuardConfig.builder().tokenCounting(counting).build();
    }

    @Test
    void autoCountsOpenAiModelsWithTheirTokenizerAndOthersWithTheDefault() {
        assertThat(PromptTokens.choose(config(TokenCounting.AUTO), "gpt-4o-mini"))
                .isInstanceOfSatisfying(OpenAiTokenizer.class, t -> assertThat(t.encodingName()).isEqualTo("o200k_base"));
        assertThat(PromptTokens.choose(config(TokenCounting.AUTO), "claude-sonnet-4-5"))
                .isInstanceOf(PromptTokens.Conservative.class);
        assertThat(PromptTokens.choose(config(TokenCounting.CONSERVATIVE), "gpt-4o"))
                .isInstanceOf(PromptTokens.Conservative.class);
        assertThat(PromptTokens.choose(config(TokenCounting.OPENAI), "llama3.1"))
                .isInstanceOf(OpenAiTokenizer.class);
        assertThat(PromptTokens.choose(GuardConfig.builder().tokenEstimator(t -> 7).build(), "gpt-4o"))
                .as("an estimator of the application's own wins over auto").isInstanceOf(PromptTokens.Estimated.class);
    }

    @Test
    void eachModelFamilyGetsItsEncoding() {
        for (String m : List.of("gpt-4o", "gpt-4.1-mini", "gpt-5", "o3-mini", "o4-mini", "chatgpt-4o-latest",
                "ft:gpt-4o-mini:acme::abc")) {
            assertThat(OpenAiTokenizer.forModel(m).encodingName()).as(m).isEqualTo("o200k_base");
        }
        for (String m : List.of("gpt-4", "gpt-4-turbo", "gpt-4-0613", "gpt-3.5-turbo", "gpt-35-turbo")) {
            assertThat(OpenAiTokenizer.forModel(m).encodingName()).as(m).isEqualTo("cl100k_base");
        }
        assertThat(PromptTokens.isOpenAiModel("o1")).isTrue();
        assertThat(PromptTokens.isOpenAiModel("ollama")).isFalse();
        assertThat(PromptTokens.isOpenAiModel("mistral-large")).isFalse();
    }

    @Test
    void theWholeRequestIsTheSumOfItsMessagesAndFixedPartForEveryCounter() {
        List<ChatMessage> messages = conversation();
        PromptDigest digest = PromptDigest.of(messages, List.of(LOOKUP));
        for (PromptTokens t : List.of(new PromptTokens.Conservative("gpt-4o"), OpenAiTokenizer.forModel("gpt-4o"),
                OpenAiTokenizer.forModel("gpt-4"))) {
            long sum = t.fixed(List.of(LOOKUP));
            for (ChatMessage m : messages) {
                sum += t.message(m);
            }
            assertThat(t.request(digest, messages, List.of(LOOKUP))).as(t.getClass().getSimpleName()).isEqualTo(sum);
        }
    }

    @Test
    void theDefaultBoundsOpenAisCountOfTheSameRequest() {
        List<ChatMessage> messages = conversation();
        long conservative = new PromptTokens.Conservative("gpt-4o")
                .request(PromptDigest.of(messages, List.of(LOOKUP)), messages, List.of(LOOKUP));
        for (String model : List.of("gpt-4o", "gpt-4")) {
            long exact = OpenAiTokenizer.forModel(model).request(null, messages, List.of(LOOKUP));
            assertThat(conservative).as(model).isGreaterThanOrEqualTo(exact);
        }
    }

    @Test
    void theOpenAiCountFollowsTheCookbook() {
        // one user message: 3 + "user" + content, and 3 to prime the reply
        List<ChatMessage> hello = List.of(UserMessage.from("Hello, how are you?"));
        assertThat(OpenAiTokenizer.forModel("gpt-4o").request(null, hello, List.of()))
                .isEqualTo(3 + 1 + O200K.countTokens("Hello, how are you?") + 3);
        // a name costs its tokens and one more
        assertThat(OpenAiTokenizer.forModel("gpt-4o").message(UserMessage.from("jane", "hi")))
                .isEqualTo(3 + 1 + O200K.countTokens("hi") + O200K.countTokens("jane") + 1);
    }

    @Test
    void imagesAreChargedTheirBoundInsteadOfNothing() {
        UserMessage withImage = UserMessage.from(TextContent.from("What is on this label?"),
                ImageContent.from("https://example.com/label.png"));
        UserMessage textOnly = UserMessage.from("What is on this label?");
        for (PromptTokens t : List.of(new PromptTokens.Conservative("gpt-4.1"), OpenAiTokenizer.forModel("gpt-4.1"))) {
            assertThat(t.message(withImage) - t.message(textOnly)).isEqualTo(PromptTokens.NON_TEXT_PART_TOKENS);
            assertThat(t.request(PromptDigest.of(List.of(withImage), List.of()), List.of(withImage), List.of())
                    - t.request(PromptDigest.of(List.of(textOnly), List.of()), List.of(textOnly), List.of()))
                    .isEqualTo(PromptTokens.NON_TEXT_PART_TOKENS);
        }
        assertThat(OpenAiTokenizer.forModel("gpt-4o-mini").message(withImage)
                - OpenAiTokenizer.forModel("gpt-4o-mini").message(textOnly)).isEqualTo(48_169);
    }
}
