package dev.agentguard.langchain4j;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.Budget;
import dev.agentguard.core.Caps;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The synchronous decorator against a fake model: admission, settlement, refusals, downgrade and truncation. */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class GuardedChatModelTest {

    @Test
    void aCallIsAdmittedThenSettledWithTheNormalisedUsageAndItsLatency() {
        TestGuards t = new TestGuards(p -> { });
        FakeChatModel fake = new FakeChatModel("cheap");
        fake.answer = r -> {
            t.ticker.advance(Duration.ofMillis(250));
            return FakeChatModel.reply("hi", new TokenUsage(10, 5));
        };
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        String answer;
        try (GuardScope s = GuardScope.open("support", "session-1")) {
            answer = model.chat("hello");
        }

        assertThat(answer).isEqualTo("hi");
        DecisionEvent post = t.lastPost();
        assertThat(TestEvents.settled(post).outcome()).isEqualTo(DecisionEvent.OK);
        assertThat(TestEvents.settled(post).usage()).isEqualTo(Usage.of(10, Usage.UNKNOWN, Usage.UNKNOWN, 5, Usage.UNKNOWN));
        // cheap: $1 and $2 per million tokens = 1 000 and 2 000 nano-dollars a token: 10 x 1 000 + 5 x 2 000
        assertThat(TestEvents.settled(post).costNanos()).isEqualTo(20_000);
        assertThat(TestEvents.settled(post).latencyNanos()).isEqualTo(Duration.ofMillis(250).toNanos());
        assertThat(post.scope().session()).isEqualTo("session-1");
        assertThat(TestEvents.call(post).model()).isEqualTo("cheap");
        assertThat(t.guard.ledger().openHolds()).isZero();
    }

    @Test
    void theDelegatesDefaultsProviderCapabilitiesPassThroughAndItsListenersFireOncePerCall() {
        TestGuards t = new TestGuards(p -> { });
        FakeChatModel fake = new FakeChatModel("cheap");
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger responses = new AtomicInteger();
        fake.listeners.add(new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext c) {
                requests.incrementAndGet();
            }

            @Override
            public void onResponse(ChatModelResponseContext c) {
                responses.incrementAndGet();
            }
        });
        fake.provider = ModelProvider.ANTHROPIC;
        GuardedChatModel model = GuardedChatModel.wrap(fake, t.guard);

        model.chat("one");
        model.chat(UserMessage.from("two"));
        model.chat(ChatRequest.builder().messages(UserMessage.from("three")).build());

        assertThat(requests).hasValue(3);
        assertThat(responses).hasValue(3);
        assertThat(fake.requests).hasSize(3);
        assertThat(model.defaultRequestParameters()).isSameAs(fake.defaults);
        assertThat(model.provider()).isEqualTo(ModelProvider.ANTHROPIC);
        assertThat(model.supportedCapabilities()).containsExactly(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
        assertThat(model.listeners()).as("not forwarded: the delegate fires its own").isEmpty();
    }

    @Test
    void aRefusedCallThrowsWithTheDecisionAndNeverReachesTheModel() {
        TestGuards t = new TestGuards(p -> p.budget(Budget.builder("tiny").scope(Scope.SESSION)
                .sliding(Duration.ofMinutes(10)).limitUsd("0.000001").build()));
        FakeChatModel fake = new FakeChatModel("pricey");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            assertThatThrownBy(() -> model.chat("hello"))
                    .isInstanceOfSatisfying(GuardBlockedException.class, e -> {
                        assertThat(e.decision().action()).isEqualTo(Action.BLOCK);
                        assertThat(e.decision().rule()).isEqualTo("budgets.tiny");
                        assertThat(e.guardName()).isEqualTo("test");
                        assertThat(e.getMessage()).startsWith("guard test refused the model call to pricey (block by"
                                + " budgets.tiny): ");
                    })
                    .isInstanceOf(dev.langchain4j.exception.NonRetriableException.class);
        }
        assertThat(fake.requests).isEmpty();
        assertThat(t.guard.ledger().openHolds()).isZero();
    }

    @Test
    void aRequestTheProviderRefusedIsChargedNothing() {
        TestGuards t = new TestGuards(p -> p.budget(Budget.builder("session").scope(Scope.SESSION)
                .sliding(Duration.ofMinutes(10)).limitUsd("1.00").build()));
        FakeChatModel fake = new FakeChatModel("cheap");
        fake.answer = r -> {
            throw new dev.langchain4j.exception.RateLimitException("429 slow down");
        };
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            assertThatThrownBy(() -> model.chat("hello")).hasMessage("429 slow down");
        }
        assertThat(TestEvents.settled(t.lastPost()).costNanos()).isZero();
        assertThat(t.guard.budgetUsed("session", "session-1")).isZero();
    }

    @Test
    void aFailingModelFailsTheAdmissionAndTheErrorPropagates() {
        TestGuards t = new TestGuards(p -> p.budget(Budget.builder("session").scope(Scope.SESSION)
                .sliding(Duration.ofMinutes(10)).limitUsd("1.00").build()));
        FakeChatModel fake = new FakeChatModel("cheap");
        fake.answer = r -> {
            throw new IllegalStateException("provider down");
        };
        AtomicInteger errors = new AtomicInteger();
        fake.listeners.add(new ChatModelListener() {
            @Override
            public void onError(ChatModelErrorContext c) {
                errors.incrementAndGet();
            }
        });
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            assertThatThrownBy(() -> model.chat("hello")).hasMessage("provider down");
        }
        assertThat(TestEvents.settled(t.lastPost()).outcome()).isEqualTo(IllegalStateException.class.getName());
        assertThat(TestEvents.settled(t.lastPost()).costNanos()).as("no usage reported: charged its worst case")
                .isPositive().isEqualTo(TestEvents.call(t.lastPost()).reservedNanos());
        assertThat(t.guard.ledger().openHolds()).isZero();
        assertThat(t.guard.budgetUsed("session", "session-1")).isEqualTo(TestEvents.call(t.lastPost()).reservedNanos());
        assertThat(errors).hasValue(1);
    }

    @Test
    void aBudgetDowngradeRenamesTheModelAndDropsWhatTheCheaperModelRejects() {
        // o3-mini $1.10/$4.40, gpt-4o-mini $0.15/$0.60 per million: with a 2 000-token output cap o3-mini reserves
        // at least 2 000 x 4 400 = 8 800 000 nano-dollars, past 50% of the $0.015 budget
        TestGuards t = new TestGuards(p -> p.ladder(List.of("o3-mini", "gpt-4o-mini"))
                .budget(Budget.builder("session").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.015").downgradeAt(50).build()));
        FakeChatModel fake = new FakeChatModel("o3-mini");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("plan my trip"))
                .parameters(OpenAiChatRequestParameters.builder().modelName("o3-mini").reasoningEffort("high")
                        .maxCompletionTokens(2_000).seed(7).build()).build();

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat(request);
        }

        ChatRequestParameters sent = fake.requests.get(0).parameters();
        assertThat(sent.modelName()).isEqualTo("gpt-4o-mini");
        assertThat(sent).isInstanceOfSatisfying(OpenAiChatRequestParameters.class, p -> {
            assertThat(p.reasoningEffort()).isNull();
            assertThat(p.maxCompletionTokens()).isNull();
            assertThat(p.seed()).as("what the cheaper model accepts stays").isEqualTo(7);
        });
        assertThat(sent.maxOutputTokens()).isEqualTo(2_000);
        DecisionEvent pre = t.pre().get(0);
        assertThat(pre.action()).isEqualTo(Action.DOWNGRADE);
        assertThat(TestEvents.call(pre).requestedModel()).isEqualTo("o3-mini");
        assertThat(TestEvents.call(pre).model()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void aDowngradeGoesToTheInstanceRoutedToTheCheaperModelAcrossProviders() {
        TestGuards t = new TestGuards(p -> p.ladder(List.of("gpt-4o", "claude-3-5-haiku-latest"))
                .budget(Budget.builder("session").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.01").downgradeAt(50).build()));
        FakeChatModel openAi = new FakeChatModel("gpt-4o");
        FakeChatModel anthropic = new FakeChatModel("claude-3-5-haiku-latest");
        anthropic.provider = ModelProvider.ANTHROPIC;
        ChatModel model = GuardedChatModel.builder(openAi, t.guard).route("claude-3-5-haiku-latest", anthropic).build();

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            // gpt-4o: $10 per million output: 1 000 x 10 000 = $0.01 reserved, past half of the budget
            model.chat(ChatRequest.builder().messages(UserMessage.from("hello"))
                    .parameters(OpenAiChatRequestParameters.builder().maxOutputTokens(1_000).seed(1).build())
                    .build());
        }

        assertThat(openAi.requests).isEmpty();
        assertThat(anthropic.requests).hasSize(1);
        ChatRequestParameters sent = anthropic.requests.get(0).parameters();
        assertThat(sent.modelName()).isEqualTo("claude-3-5-haiku-latest");
        assertThat(sent).as("another provider gets only the common parameters")
                .isNotInstanceOf(OpenAiChatRequestParameters.class);
        assertThat(sent.maxOutputTokens()).isEqualTo(1_000);
        assertThat(TestEvents.call(t.lastPost()).model()).isEqualTo("claude-3-5-haiku-latest");
        assertThat(TestEvents.call(t.lastPost()).priced()).as("priced by model name across providers").isTrue();
    }

    private static List<ChatMessage> longConversation() {
        List<ChatMessage> m = new ArrayList<>();
        m.add(SystemMessage.from("You are terse."));
        for (int i = 0; i < 10; i++) {
            m.add(UserMessage.from("question " + i + " " + "x".repeat(300)));
            m.add(AiMessage.from("answer " + i + " " + "y".repeat(300)));
        }
        m.add(UserMessage.from("and now?"));
        return m;
    }

    @Test
    void aTruncationDropsTheOldestMessagesAndRecordsHowManyWithoutTheirContent() {
        TestGuards t = new TestGuards(p -> p.caps(Caps.builder().promptTokens(500, Caps.PromptAction.TRUNCATE)
                .build()));
        FakeChatModel fake = new FakeChatModel("cheap");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat(longConversation());
        }

        List<ChatMessage> sent = fake.requests.get(0).messages();
        assertThat(sent).hasSizeLessThan(22);
        assertThat(sent.get(0)).isEqualTo(SystemMessage.from("You are terse."));
        assertThat(sent.get(1)).as("opens with a user turn").isInstanceOf(UserMessage.class);
        assertThat(sent.get(sent.size() - 1)).isEqualTo(UserMessage.from("and now?"));
        assertThat(new PromptTokens.Conservative("cheap").request(PromptDigest.of(sent, List.of()), sent, List.of()))
                .as("as admission counts it").isLessThanOrEqualTo(500);
        DecisionEvent post = t.lastPost();
        assertThat(post.decision().action()).isEqualTo(Action.TRUNCATE);
        assertThat(TestEvents.settled(post).droppedMessages()).isEqualTo(22 - sent.size());
        assertThat(TestEvents.settled(post).droppedTokens()).isPositive();
        assertThat(post.toString()).doesNotContain("question 0");
    }

    private static List<ChatMessage> supportConversation() {
        List<ChatMessage> m = new ArrayList<>();
        m.add(SystemMessage.from("You are a support agent for a shoe shop. Answer briefly and politely."));
        for (int i = 0; i < 12; i++) {
            m.add(UserMessage.from("My order A-10" + (40 + i) + " has not arrived yet. The tracking page says the parcel"
                    + " is waiting at the distribution centre. Could you check where it is?"));
            m.add(AiMessage.from("I checked order A-10" + (40 + i) + ": the carrier scanned it yesterday evening and"
                    + " expects to deliver it tomorrow before noon. I am sorry for the delay."));
        }
        m.add(UserMessage.from("Thanks. And can I still change the delivery address?"));
        return m;
    }

    @Test
    void withOpenAisTokenizerTruncationDropsNoMoreThanTheRealCountNeeds() {
        int cap = 600;
        TestGuards t = new TestGuards(p -> p.caps(Caps.builder().promptTokens(cap, Caps.PromptAction.TRUNCATE)
                .build()));
        FakeChatModel fake = new FakeChatModel("gpt-4o-mini");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);
        List<ChatMessage> all = supportConversation();

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat(all);
        }

        PromptTokens openAi = OpenAiTokenizer.forModel("gpt-4o-mini");
        List<ChatMessage> sent = fake.requests.get(0).messages();
        assertThat(openAi.request(null, sent, List.of())).as("fits by the real count").isLessThanOrEqualTo(cap);
        // the last exchange dropped (a user turn and its answer) would not have fitted: nothing more was dropped
        int dropped = all.size() - sent.size();
        assertThat(dropped).isPositive().isEven();
        List<ChatMessage> oneMore = new ArrayList<>(sent);
        oneMore.addAll(1, all.subList(dropped - 1, dropped + 1));
        assertThat(openAi.request(null, oneMore, List.of())).isGreaterThan(cap);
        assertThat(t.pre().get(0).action()).isEqualTo(Action.TRUNCATE);
        // the conservative count of the same conversation would have cut more
        Truncation.Result conservative = Truncation.fit(all, new PromptTokens.Conservative("gpt-4o-mini")
                .fixed(List.of()), cap, new PromptTokens.Conservative("gpt-4o-mini")::message);
        assertThat(conservative.droppedMessages).isGreaterThan(dropped);
    }

    @Test
    void aTruncatedCallIsReservedForThePromptItSends() {
        TestGuards t = new TestGuards(p -> p.defaultMaxOutputTokens(100)
                .caps(Caps.builder().promptTokens(500, Caps.PromptAction.TRUNCATE).build()));
        FakeChatModel fake = new FakeChatModel("cheap");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat(longConversation());
        }

        List<ChatMessage> sent = fake.requests.get(0).messages();
        PromptTokens sizing = PromptTokens.choose(t.guard.config(), "cheap"); // as the adapter sized it
        long sentTokens = sizing.fixed(List.of());
        for (ChatMessage m : sent) {
            sentTokens += sizing.message(m);
        }
        DecisionEvent pre = t.pre().get(0);
        assertThat(sentTokens).isLessThanOrEqualTo(500);
        assertThat(TestEvents.call(pre).reservedNanos()).as("the prompt sent at $1/M and the cap at $2/M, not the cap at $1/M")
                .isEqualTo(sentTokens * 1_000 + 100 * 2_000);
    }

    @Test
    void aPromptThatTruncationCannotBringUnderTheCapIsRefusedNotSent() {
        TestGuards t = new TestGuards(p -> p.caps(Caps.builder().promptTokens(1_000, Caps.PromptAction.TRUNCATE)
                .build()).budget(Budget.builder("session").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                .limitUsd("0.01").build()));
        FakeChatModel fake = new FakeChatModel("cheap");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            assertThatThrownBy(() -> model.chat("x".repeat(120_000)))
                    .isInstanceOfSatisfying(GuardBlockedException.class, e -> {
                        assertThat(e.decision().rule()).isEqualTo("caps.promptTokens");
                        assertThat(e.decision().reason()).contains("truncation cannot bring it under");
                    });
        }
        assertThat(fake.requests).as("nothing goes out over the cap").isEmpty();
        assertThat(t.guard.budgetUsed("session", "session-1")).isZero();
    }

    @Test
    void aFinalAnswerGoesOutWithoutToolsAndWithANoteAskingForIt() {
        TestGuards t = new TestGuards(p -> p.caps(Caps.builder().modelCallsPerSession(1)
                .modelCallsOnExceed(Caps.OnCap.FINAL_ANSWER).build()));
        FakeChatModel fake = new FakeChatModel("cheap");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);
        dev.langchain4j.agent.tool.ToolSpecification search = dev.langchain4j.agent.tool.ToolSpecification.builder()
                .name("search").build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("find it"))
                .parameters(OpenAiChatRequestParameters.builder().toolSpecifications(search).build()).build();

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat(request);
            model.chat(request); // past the cap: once more, without tools
            assertThatThrownBy(() -> model.chat(request)).isInstanceOf(GuardBlockedException.class);
        }

        assertThat(fake.requests).hasSize(2);
        assertThat(fake.requests.get(0).toolSpecifications()).containsExactly(search);
        ChatRequest last = fake.requests.get(1);
        assertThat(last.toolSpecifications()).as("no more tools").isNullOrEmpty();
        assertThat(last.messages().get(last.messages().size() - 1)).isInstanceOfSatisfying(SystemMessage.class,
                m -> assertThat(m.text()).contains("Give your final answer now"));
        assertThat(t.pre().get(1).action()).isEqualTo(Action.FINAL_ANSWER);
    }

    @Test
    void aRequestWithoutACapGoesOutWithTheCapItWasReservedFor() {
        TestGuards t = new TestGuards(p -> p.defaultMaxOutputTokens(300));
        FakeChatModel fake = new FakeChatModel("cheap");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat("hello");
            model.chat(ChatRequest.builder().messages(UserMessage.from("hello")).maxOutputTokens(50).build());
        }

        assertThat(fake.requests.get(0).maxOutputTokens()).as("the policy's default").isEqualTo(300);
        assertThat(fake.requests.get(1).maxOutputTokens()).as("the request's own").isEqualTo(50);
    }

    @Test
    void aRoutedInstancesDefaultCapCannotRaiseTheOneReserved() {
        // pricey: $20 per million output, 500 x 20 000 = $0.01 reserved, past half of the budget
        TestGuards t = new TestGuards(p -> p.ladder(List.of("pricey", "cheap"))
                .budget(Budget.builder("session").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.015").downgradeAt(50).build()));
        FakeChatModel pricey = new FakeChatModel("pricey");
        pricey.defaults = ChatRequestParameters.builder().modelName("pricey").maxOutputTokens(500).build();
        FakeChatModel cheap = new FakeChatModel("cheap");
        cheap.defaults = ChatRequestParameters.builder().modelName("cheap").maxOutputTokens(8_000).build();
        ChatModel model = GuardedChatModel.builder(pricey, t.guard).route("cheap", cheap).build();

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat("hello");
        }

        assertThat(t.pre().get(0).action()).isEqualTo(Action.DOWNGRADE);
        assertThat(cheap.requests).singleElement()
                .satisfies(r -> assertThat(r.maxOutputTokens()).as("reserved at pricey's default").isEqualTo(500));
    }

    @Test
    void anOpenAiReasoningModelGetsTheCapAsMaxCompletionTokens() {
        TestGuards t = new TestGuards(p -> p.defaultMaxOutputTokens(700));
        FakeChatModel fake = new FakeChatModel("o4-mini");
        fake.defaults = OpenAiChatRequestParameters.builder().modelName("o4-mini").build();
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat("hello");
            // max_tokens, which o4-mini rejects, moves to the field it accepts
            model.chat(ChatRequest.builder().messages(UserMessage.from("again")).maxOutputTokens(90).build());
        }

        assertThat(fake.requests).extracting(ChatRequest::parameters).allSatisfy(p -> assertThat(p)
                .isInstanceOfSatisfying(OpenAiChatRequestParameters.class, o -> assertThat(o.maxOutputTokens()).isNull()));
        assertThat(fake.requests).extracting(r -> ((OpenAiChatRequestParameters) r.parameters()).maxCompletionTokens())
                .containsExactly(700, 90);
    }

    @Test
    void anOpenAiModelGetsTheCapOnTheFieldsTheRequestUses() {
        FakeChatModel fake = new FakeChatModel("gpt-4o-mini");
        fake.defaults = OpenAiChatRequestParameters.builder().modelName("gpt-4o-mini").build();
        ChatModel model = GuardedChatModel.wrap(fake, new TestGuards(p -> p.defaultMaxOutputTokens(700)).guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat("hello");
            model.chat(ChatRequest.builder().messages(UserMessage.from("hello"))
                    .parameters(OpenAiChatRequestParameters.builder().maxCompletionTokens(80).build()).build());
            // reserved at max_tokens 60: the 5 000 on the other field would let the provider bill past it
            model.chat(ChatRequest.builder().messages(UserMessage.from("hello"))
                    .parameters(OpenAiChatRequestParameters.builder().maxOutputTokens(60).maxCompletionTokens(5_000)
                            .build()).build());
        }

        List<OpenAiChatRequestParameters> sent = new ArrayList<>();
        fake.requests.forEach(r -> sent.add((OpenAiChatRequestParameters) r.parameters()));
        assertThat(sent).extracting(ChatRequestParameters::maxOutputTokens).containsExactly(700, null, 60);
        assertThat(sent).extracting(OpenAiChatRequestParameters::maxCompletionTokens).containsExactly(null, 80, 60);
    }

    @Test
    void inShadowModeTheRequestGoesOutUnchanged() {
        TestGuards t = new TestGuards(p -> p.mode(Mode.SHADOW)
                .caps(Caps.builder().promptTokens(500, Caps.PromptAction.TRUNCATE).build()));
        FakeChatModel fake = new FakeChatModel("cheap");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat(longConversation());
        }

        assertThat(fake.requests.get(0).messages()).hasSize(22);
        assertThat(fake.requests.get(0).maxOutputTokens()).as("no cap written either").isNull();
        assertThat(t.pre().get(0).action()).isEqualTo(Action.TRUNCATE);
        assertThat(TestEvents.settled(t.lastPost()).droppedMessages()).isEqualTo(-1);
    }

    @Test
    void theSameRequestSentAgainAndAgainIsBlocked() {
        TestGuards t = new TestGuards(p -> p.loops(dev.agentguard.core.LoopRules.builder()
                .repeatedModelRequest(dev.agentguard.core.LoopRules.Threshold.blockAt(3)).build()));
        FakeChatModel fake = new FakeChatModel("cheap");
        ChatModel model = GuardedChatModel.wrap(fake, t.guard);

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            model.chat("same");
            model.chat("same");
            assertThatThrownBy(() -> model.chat("same")).isInstanceOfSatisfying(GuardBlockedException.class,
                    e -> assertThat(e.decision().rule()).isEqualTo("loops.repeatedModelRequest"));
            model.chat("different");
        }
        assertThat(fake.requests).hasSize(3);
    }
}
