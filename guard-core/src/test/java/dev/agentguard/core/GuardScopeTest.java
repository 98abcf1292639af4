package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GuardScopeTest {

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
    void closingOutOfOrderDoesNotClobberTheInnerScope() {
        GuardScope outer = GuardScope.open("a", "outer");
        GuardScope inner = GuardScope.open("a", "inner");
        outer.close();
        assertThat(GuardScope.current()).isSameAs(inner);
        inner.close();
        assertThat(GuardScope.current()).isSameAs(outer);
        outer.close();
        assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
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
