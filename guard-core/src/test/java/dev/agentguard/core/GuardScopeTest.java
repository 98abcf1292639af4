package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuardScopeTest {

    /** A test that fails half-way must not leave its scopes bound to the thread the next test runs on. */
    @AfterEach
    void unbindEverything() {
        for (GuardScope s = GuardScope.current(); s != GuardScope.NONE; s = GuardScope.current()) {
            s.close();
        }
    }

    @Test
    void bindingNestsAndRestoresThePreviousScope() {
        assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
        try (GuardScope outer = GuardScope.open("support", "s-1")) {
            assertThat(GuardScope.current()).isSameAs(outer);
            try (GuardScope inner = GuardScope.builder().agent("billing").session("s-2").user("u-7").open()) {
                assertThat(GuardScope.current()).isSameAs(inner);
                assertThat(GuardScope.current().user()).isEqualTo("u-7");
            }
            assertThat(GuardScope.current()).isSameAs(outer);
        }
        assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
    }

    @Test
    void aBuiltScopeIsNotBoundAndClosingItDoesNothing() {
        try (GuardScope bound = GuardScope.open("a", "s")) {
            GuardScope explicit = GuardScope.builder().session("other").build();
            explicit.close();
            assertThat(GuardScope.current()).isSameAs(bound);
        }
    }

    @Test
    void closingOutOfOrderKeepsTheInnerScopeThenRestoresNoClosedOne() {
        GuardScope outer = GuardScope.open("a", "outer");
        GuardScope inner = GuardScope.open("a", "inner");
        outer.close();
        assertThat(GuardScope.current()).as("the inner scope stays bound").isSameAs(inner);
        inner.close();
        assertThat(GuardScope.current()).as("the outer scope was closed: the thread must not fall back to it")
                .isSameAs(GuardScope.NONE);
        outer.close();
        assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
    }

    @Test
    void closingAMiddleScopeOutOfOrderRestoresTheNearestOpenOne() {
        try (GuardScope root = GuardScope.open("a", "root")) {
            GuardScope middle = GuardScope.open("a", "middle");
            GuardScope inner = GuardScope.open("a", "inner");
            middle.close();
            assertThat(GuardScope.current()).isSameAs(inner);
            inner.close();
            assertThat(GuardScope.current()).as("middle is closed, root is not").isSameAs(root);
            try (GuardScope later = GuardScope.open("a", "later")) {
                assertThat(GuardScope.current()).isSameAs(later);
            }
            assertThat(GuardScope.current()).isSameAs(root);
            middle.close(); // twice: nothing happens
            assertThat(GuardScope.current()).isSameAs(root);
        }
        assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
    }

    @Test
    void aScopeClosedOnAnotherThreadIsNoLongerCurrentWhereItWasBound() throws Exception {
        try (GuardScope outer = GuardScope.open("a", "outer")) {
            GuardScope inner = GuardScope.open("a", "inner");
            CompletableFuture.runAsync(inner::close).get();
            assertThat(GuardScope.current()).as("a closed scope is never current").isSameAs(outer);
        }
        assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
    }

    @Test
    void aCallAfterAnOutOfOrderCloseIsNotChargedToTheClosedSession() {
        GuardConfig config = GuardConfig.builder().name("order").budget(Budget.builder("session-calls")
                .scope(Scope.SESSION).sliding(Duration.ofMinutes(10)).limitCalls(100).build()).build();
        Guard guard = Guard.builder(config).ticker(new FakeTicker()).build();
        GuardScope outer = GuardScope.open("a", "outer");
        GuardScope inner = GuardScope.open("a", "inner");
        outer.close();
        inner.close();
        try (Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o-mini").promptTokens(10).build())) {
            assertThat(a.decision().action()).isEqualTo(Action.ALLOW);
            a.settle(Usage.of(10, 0, 0, 10, 0));
        }
        assertThat(guard.budgetUsed("session-calls", "outer")).as("the closed outer session").isZero();
        assertThat(guard.budgetUsed("session-calls", "inner")).isZero();
    }

    @Test
    void bindingIsPerThread() throws Exception {
        try (GuardScope s = GuardScope.open("a", "s-main")) {
            GuardScope seen = CompletableFuture.supplyAsync(GuardScope::current).get();
            assertThat(seen).isSameAs(GuardScope.NONE);
            assertThat(GuardScope.current()).isSameAs(s);
        }
    }

    @Test
    void scopeKeysComeFromTheScopeOrTheModel() {
        GuardScope s = GuardScope.builder().agent("a").session("s").tenant("t").build();
        assertThat(Scope.GLOBAL.keyOf(s, "m")).isEqualTo(Scope.GLOBAL_KEY);
        assertThat(Scope.AGENT.keyOf(s, "m")).isEqualTo("a");
        assertThat(Scope.SESSION.keyOf(s, "m")).isEqualTo("s");
        assertThat(Scope.USER.keyOf(s, "m")).as("unknown user").isNull();
        assertThat(Scope.TENANT.keyOf(s, "m")).isEqualTo("t");
        assertThat(Scope.MODEL.keyOf(s, "m")).isEqualTo("m");
        assertThat(s.toBuilder().user("u").build()).isEqualTo(
                GuardScope.builder().agent("a").session("s").tenant("t").user("u").build());
    }
}
