package dev.agentguard.examples.spring;

import dev.langchain4j.agent.tool.Tool;

/** The assistant's tool. */
public class OrderTools {

    /**
     * @param orderId an order id such as A-1042
     * @return its status
     */
    @Tool(name = "lookup_order", value = "Looks up the status of an order")
    public String lookupOrder(String orderId) {
        return "order " + orderId + ": shipped, arrives Friday";
    }
}
