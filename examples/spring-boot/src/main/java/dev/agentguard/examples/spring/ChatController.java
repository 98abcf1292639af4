package dev.agentguard.examples.spring;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /chat}: the question as plain text in, the answer out. No guard code: the starter does it. */
@RestController
public class ChatController {

    private final SupportAssistant assistant;

    /** @param assistant the AI service */
    public ChatController(SupportAssistant assistant) {
        this.assistant = assistant;
    }

    /**
     * @param question the customer's question
     * @return the answer
     */
    @PostMapping(path = "/chat", consumes = "text/plain", produces = "text/plain")
    public String chat(@RequestBody String question) {
        return assistant.chat(question);
    }
}
