package dev.agentguard.examples.spring;

import dev.langchain4j.service.SystemMessage;

/** The AI service: one question in, one answer out; its session is the HTTP request's. */
public interface SupportAssistant {

    /**
     * @param question the customer's question
     * @return the answer
     */
    @SystemMessage("You are a support assistant. Look orders up before answering.")
    String chat(String question);
}
