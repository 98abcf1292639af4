package dev.agentguard.langchain4j;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** A guard on a fake ticker whose decisions a test can read. */
final class TestGuards {

    final FakeTicker ticker = new FakeTicker();
    final List<DecisionEvent> events = new CopyOnWriteArrayList<>();
    final Guard guard;

    /** Prices "cheap" at $1/$2 and "pricey" at $10/$20 per million tokens, on top of the bundled catalog. */
    TestGuards(Consumer<GuardConfig.Builder> policy) {
        GuardConfig.Builder b = GuardConfig.builder().name("test")
                .price("cheap", ModelPrice.builder().input(BigDecimal.ONE).output(new BigDecimal(2)).build())
                .price("pricey", ModelPrice.builder().input(BigDecimal.TEN).output(new BigDecimal(20)).build());
        policy.accept(b);
        this.guard = Guard.builder(b.build()).ticker(ticker).listener(events::add).build();
    }

    List<DecisionEvent> pre() {
        return events.stream().filter(e -> e.phase() == Phase.PRE).collect(Collectors.toList());
    }

    List<DecisionEvent> post() {
        return events.stream().filter(e -> e.phase() == Phase.POST).collect(Collectors.toList());
    }

    DecisionEvent lastPost() {
        List<DecisionEvent> post = post();
        return post.get(post.size() - 1);
    }
}
