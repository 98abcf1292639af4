package dev.agentguard.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bucket count that {@link WindowSpec#sliding(Duration)} chooses works for any positive length. */
class WindowSpecTest {

    @Test
    void lengthsThatDivideBySixtyGetSixtyBuckets() {
        assertThat(WindowSpec.sliding(Duration.ofMinutes(10)).buckets()).isEqualTo(60);
        assertThat(WindowSpec.sliding(Duration.ofSeconds(30)).buckets()).isEqualTo(60);
        assertThat(WindowSpec.sliding(Duration.ofDays(1)).buckets()).isEqualTo(60);
    }

    @Test
    void otherLengthsGetTheLargestCountOfWholeNanosecondBuckets() {
        assertThat(WindowSpec.sliding(Duration.ofSeconds(10)).buckets()).isEqualTo(50);
        assertThat(WindowSpec.sliding(Duration.ofSeconds(1)).buckets()).isEqualTo(50);
        assertThat(WindowSpec.sliding(Duration.ofMillis(500)).buckets()).isEqualTo(50);
        assertThat(WindowSpec.sliding(Duration.ofMillis(7)).buckets()).isEqualTo(7);
        assertThat(WindowSpec.sliding(Duration.ofNanos(7)).buckets()).isEqualTo(1);
        assertThat(WindowSpec.sliding(Duration.ofNanos(1_000_000_007)).buckets()).as("a prime").isEqualTo(1);
        for (long ms = 1; ms <= 5_000; ms += 37) {
            WindowSpec w = WindowSpec.sliding(Duration.ofMillis(ms));
            assertThat(Duration.ofMillis(ms).toNanos() % w.buckets()).isZero();
            assertThat(w.buckets()).isBetween(1, 60);
        }
    }

    @Test
    void aLengthMustBePositive() {
        assertThatThrownBy(() -> WindowSpec.sliding(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window length must be positive, was PT0S");
        assertThatThrownBy(() -> WindowSpec.sliding(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
