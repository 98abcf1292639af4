package dev.agentguard.langchain4j;

import dev.agentguard.core.TestEvents;

import dev.agentguard.core.Budget;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.pricing.ModelPrice;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run by {@link WithoutProviderModulesTest} in a class loader without provider modules: it must name no provider
 * type itself.
 */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
public final class IsolatedScenario implements Callable<String> {

    /** An AI service for the scenario. */
    public interface Agent {
        /**
         * @param session the memory id
         * @param message the user message
         * @return the answer
         */
        String chat(@MemoryId String session, @UserMessage String message);
    }

    /** A tool for the scenario. */
    public static final class Tools {
        /** @return a constant */
        @Tool("finds things")
        public String find() {
            return "found";
        }
    }

    @Override
    public String call() {
        List<DecisionEvent> events = new CopyOnWriteArrayList<>();
        Guard guard = Guard.builder(GuardConfig.builder().name("isolated")
                .price("cheap", ModelPrice.builder().input(BigDecimal.ONE).output(new BigDecimal(2)).build())
                .price("pricey", ModelPrice.builder().input(BigDecimal.TEN).output(BigDecimal.TEN).build())
                .ladder(List.of("pricey", "cheap"))
                .budget(Budget.builder("session").scope(Scope.SESSION).sliding(Duration.ofMinutes(1))
                        .limitUsd("0.01").downgradeAt(50).build())
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.blockAt(2))
                        .onLoop(LoopRules.OnLoop.BLOCK).build())
                .build()).listener(events::add).build();
        List<Integer> caps = new CopyOnWriteArrayList<>();
        ChatModel fake = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                caps.add(request.maxOutputTokens());
                if ("cheap".equals(request.modelName()) && Integer.valueOf(1_000).equals(request.maxOutputTokens())) {
                    return ChatResponse.builder().aiMessage(AiMessage.from("down")).modelName(request.modelName())
                            .build();
                }
                boolean toolDone = request.messages().get(request.messages().size() - 1)
                        instanceof ToolExecutionResultMessage;
                AiMessage reply = toolDone || request.toolSpecifications().isEmpty() ? AiMessage.from("hi")
                        : AiMessage.from(List.of(ToolExecutionRequest.builder().id("1").name("find").arguments("{}")
                                .build()));
                return ChatResponse.builder().aiMessage(reply).tokenUsage(new TokenUsage(10, 5)).build();
            }

            @Override
            public ChatRequestParameters defaultRequestParameters() {
                return ChatRequestParameters.builder().modelName("cheap").build();
            }
        };
        String providers = Providers.OPENAI || Providers.ANTHROPIC || Providers.GEMINI || Providers.BEDROCK
                ? "some" : "none";
        String answer;
        try (GuardScope s = GuardScope.open("iso", "s1")) {
            answer = GuardedChatModel.wrap(fake, guard).chat("hello");
        }
        String downgraded;
        try (GuardScope s = GuardScope.open("iso", "s4")) {
            // pricey: 1 000 output tokens x $10 per million = $0.01 reserved, past half of the budget
            downgraded = GuardedChatModel.wrap(fake, guard).chat(ChatRequest.builder()
                    .messages(dev.langchain4j.data.message.UserMessage.from("hello"))
                    .parameters(ChatRequestParameters.builder().modelName("pricey").maxOutputTokens(1_000).build())
                    .build()).metadata().modelName();
        }
        long cost = TestEvents.settled(events.stream().filter(e -> e.phase() == Phase.POST).findFirst().orElseThrow()).costNanos();

        GuardedToolExecutor tool = GuardedToolExecutor.wrap("find", (r, m) -> "found", guard);
        ToolExecutionRequest request = ToolExecutionRequest.builder().id("1").name("find").arguments("{}").build();
        String found = tool.execute(request, "s2");
        boolean blocked;
        try {
            tool.execute(request, "s2");
            blocked = false;
        } catch (GuardBlockedException e) {
            blocked = true;
        }

        Agent agent = GuardedAiServices.builder(Agent.class, guard).chatModel(fake).tools(new Tools())
                .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(10))).build();
        String service = "hi".equals(agent.chat("s3", "use the tool")) ? "done" : "wrong";
        // tokens.estimator: openai without jtokkit: the call goes ahead, sized by the default estimate
        List<DecisionEvent> counted = new CopyOnWriteArrayList<>();
        Guard openAi = Guard.builder(GuardConfig.builder().name("openai-counting")
                .tokenCounting(dev.agentguard.core.TokenCounting.OPENAI)
                .price("cheap", ModelPrice.builder().input(BigDecimal.ONE).output(new BigDecimal(2)).build())
                .build()).listener(counted::add).build();
        ChatRequest hello = ChatRequest.builder().messages(dev.langchain4j.data.message.UserMessage.from("hello"))
                .maxOutputTokens(10).build();
        try (GuardScope s = GuardScope.open("iso", "s5")) {
            GuardedChatModel.wrap(fake, openAi).chat(hello);
        }
        long conservative = new PromptTokens.Conservative("cheap")
                .request(PromptDigest.of(hello.messages(), List.of()), hello.messages(), List.of());
        String fallback = TestEvents.call(counted.get(0)).reservedNanos() == conservative * 1_000 + 10 * 2_000 ? "conservative"
                : "reserved " + TestEvents.call(counted.get(0)).reservedNanos();
        return "providers=" + providers + " model=" + answer + " cap=" + caps.get(0) + " downgraded=" + downgraded
                + " cost=" + cost + " tool=" + found + " blocked="
                + blocked + " service=" + service + " openaiWithoutJtokkit=" + fallback;
    }
}
