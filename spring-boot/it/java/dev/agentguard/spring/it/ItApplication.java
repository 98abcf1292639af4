package dev.agentguard.spring.it;

import dev.agentguard.examples.sim.OpenAiSimulator;
import dev.agentguard.spring.GuardedAiServicesFactory;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.IOException;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application under test: a REST endpoint, an AI service with a tool, and the real OpenAI client talking HTTP
 * to the demo's simulator. Nothing here mentions the guard but the factory: the starter wraps the model bean and
 * binds each request's session from its header.
 */
@SpringBootApplication
public class ItApplication {

    /** The AI service. */
    public interface Assistant {
        /**
         * @param message the user's message
         * @return the answer
         */
        String chat(String message);
    }

    /** The tool the model calls once per question. */
    public static class OrderTools {
        /**
         * @param orderId an order id
         * @return its status
         */
        @Tool(name = "lookup_order", value = "Looks up an order's status")
        public String lookupOrder(String orderId) {
            return "order " + orderId + ": shipped";
        }
    }

    /** POST /chat: the user's message in, the assistant's answer out. */
    @RestController
    public static class ChatController {
        private final Assistant assistant;

        ChatController(Assistant assistant) {
            this.assistant = assistant;
        }

        @PostMapping("/chat")
        String chat(@RequestBody String message) {
            return assistant.chat(message);
        }
    }

    @Bean(destroyMethod = "close")
    OpenAiSimulator simulator() throws IOException {
        OpenAiSimulator sim = OpenAiSimulator.start();
        // first the model asks for the tool, then it answers from the tool's result
        sim.behave(r -> r.lastIsToolResult() ? OpenAiSimulator.Reply.text("Your order has shipped.", 20)
                : OpenAiSimulator.Reply.toolCall("lookup_order", "{\"orderId\":\"A-1042\"}"));
        return sim;
    }

    @Bean
    ChatModel chatModel(OpenAiSimulator simulator) {
        return OpenAiChatModel.builder().baseUrl(simulator.baseUrl()).apiKey("simulated").modelName("gpt-4.1-mini")
                .build();
    }

    @Bean
    Assistant assistant(GuardedAiServicesFactory ai, ChatModel chatModel) {
        return ai.builder(Assistant.class).chatModel(chatModel).tools(new OrderTools()).build();
    }
}
