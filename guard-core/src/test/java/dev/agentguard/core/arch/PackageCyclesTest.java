package dev.agentguard.core.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PackageCyclesTest {

    @Test
    void guardCoreHasNoPackageCycle() {
        PackageCycles.assertNone(Path.of("target/classes"), "dev.agentguard");
    }

    @Test
    void readsTheRealGraph() {
        Map<String, Set<String>> graph = PackageCycles.graph(Path.of("target/classes"), "dev.agentguard");
        assertThat(graph.get("dev.agentguard.core.ledger")).contains("dev.agentguard.core.common")
                .doesNotContain("dev.agentguard.core");
        assertThat(graph.get("dev.agentguard.core.common")).as("the leaf package depends on no other").isEmpty();
    }

    @Test
    void findsEveryCycleAndOnlyCycles() {
        Map<String, Set<String>> graph = Map.of(
                "a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"),
                "d", Set.of("e"), "e", Set.of("d"), "f", Set.of("a"));
        assertThat(PackageCycles.cycles(graph)).containsExactlyInAnyOrder(Set.of("a", "b", "c"), Set.of("d", "e"));
        assertThat(PackageCycles.cycles(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
    }

    @Test
    void namesTheEdgesOfACycle() {
        Map<String, Set<String>> graph = Map.of("x", Set.of("y", "z"), "y", Set.of("x"), "z", Set.of());
        assertThatThrownBy(() -> PackageCycles.assertNone(graph, "test"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("[x, y]").hasMessageContaining("x -> y").hasMessageContaining("y -> x")
                .hasMessageNotContaining("x -> z");
    }
}
