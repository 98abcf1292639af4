package dev.agentguard.examples.spring;

import dev.agentguard.examples.sim.OpenAiSimulator;
import dev.agentguard.spring.GuardedAiServicesFactory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.IOException;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application guarded by the starter: the model bean below is wrapped in the guard without a line of
 * guard code, each request's session comes from its {@code X-Session-Id} header, and a spent budget answers 429 with
 * a problem. The model is OpenAI's client, talking HTTP to the demo's simulator started in this process.
 */
@SpringBootApplication
public class SupportApplication {

    /**
     * @param args Spring Boot arguments, e.g. {@code --server.port=0}
     */
    public static void main(String[] args) {
        SpringApplication.run(SupportApplication.class, args);
    }

    @Bean(destroyMethod = "close")
    OpenAiSimulator openAiSimulator() throws IOException {
        OpenAiSimulator simulator = OpenAiSimulator.start();
        // the model looks the order up first, then answers from what the tool said
        simulator.behave(r -> r.lastIsToolResult()
                ? OpenAiSimulator.Reply.text("Your order has shipped; it arrives on Friday.", 20)
                : OpenAiSimulator.Reply.toolCall("lookup_order", "{\"orderId\":\"A-1042\"}"));
        return simulator;
    }

    /** A plain OpenAI model: the starter guards it. */
    @Bean
    ChatModel chatModel(OpenAiSimulator simulator) {
        return OpenAiChatModel.builder().baseUrl(simulator.baseUrl()).apiKey("simulated").modelName("gpt-4.1-mini")
                .build();
    }

    /** The AI service, built by the starter's factory so that its tool calls are guarded too. */
    @Bean
    SupportAssistant supportAssistant(GuardedAiServicesFactory ai, ChatModel chatModel) {
        return ai.builder(SupportAssistant.class).chatModel(chatModel).tools(new OrderTools()).build();
    }
}
