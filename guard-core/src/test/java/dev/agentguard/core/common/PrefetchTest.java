package dev.agentguard.core.common;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/** A prefetch reads without its owner's lock, so it must take whatever it finds. */
class PrefetchTest {

    @Test
    void takesANullArrayAndCellsOutsideTheArray() {
        long[] cells = {1, 2, 3};
        assertThatCode(() -> {
            Prefetch.use(null, 0);
            Prefetch.use(cells, -1);
            Prefetch.use(cells, 3);
            Prefetch.use(new long[0], 0);
            Prefetch.use(cells, 2);
            Prefetch.use(Long.MIN_VALUE);
        }).doesNotThrowAnyException();
    }
}
