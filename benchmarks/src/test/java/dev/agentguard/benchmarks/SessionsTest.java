package dev.agentguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionsTest {

    /** @return the sessions a cursor calls over {@code calls} calls */
    private static List<Integer> walk(int thread, int threads, int sessions, int calls) {
        Sessions.Cursor c = new Sessions.Cursor();
        c.place(thread, threads);
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            seen.add(c.next(sessions));
        }
        return seen;
    }

    @Test
    void eachThreadWalksABlockOfItsOwnInOrderRoundAfterRound() {
        List<Integer> first = walk(0, 2, 10, 10);
        List<Integer> second = walk(1, 2, 10, 10);
        assertThat(first).containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3, 4);
        assertThat(second).containsExactly(5, 6, 7, 8, 9, 5, 6, 7, 8, 9);
    }

    @Test
    void threadsNeverShareASessionAndNeighboursMeetOnlyAtABlocksEdge() {
        int threads = 4;
        int sessions = 10_000;
        Set<Integer> all = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            Set<Integer> mine = new HashSet<>(walk(t, threads, sessions, sessions / threads));
            assertThat(mine).hasSize(sessions / threads);
            for (int s : mine) {
                assertThat(all.add(s)).as("session %d called by two threads", s).isTrue();
            }
        }
        assertThat(all).hasSize(sessions);
        // the k-th call of thread 0 and of thread 1 are far apart: no pair of neighbours walked in step
        assertThat(walk(1, threads, sessions, 1).get(0) - walk(0, threads, sessions, 1).get(0))
                .isEqualTo(sessions / threads);
    }

    @Test
    void oneSessionIsSharedByEveryThread() {
        assertThat(walk(0, 2, 1, 3)).containsOnly(0);
        assertThat(walk(1, 2, 1, 3)).containsOnly(0);
    }

    @Test
    void aRoundEndsAfterAPassOverTheThreadsSessions() {
        Sessions.Cursor c = new Sessions.Cursor();
        c.place(1, 2);
        for (int i = 0; i < 5; i++) {
            c.next(10);
        }
        assertThat(c.round()).isEqualTo(1);
    }
}
