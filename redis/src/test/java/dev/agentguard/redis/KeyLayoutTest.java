package dev.agentguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class KeyLayoutTest {

    @Test
    void namesFromRequestsCannotMoveTheHashTagOrBreakAField() {
        KeyLayout layout = new KeyLayout("ag:", "bot}{x");
        BudgetKey key = new BudgetKey("b:1", Scope.SESSION, "s {1}:é%", WindowSpec.sliding(Duration.ofMinutes(10)));

        assertThat(layout.holds()).isEqualTo("ag:{bot%7D%7Bx}:holds");
        assertThat(layout.base(key)).isEqualTo("ag:{bot%7D%7Bx}:w:b%3A1:session:s%20%7B1%7D%3A%C3%A9%25");
        assertThat(KeyLayout.encode("")).isEqualTo("%");
        assertThat(KeyLayout.encode("plain-id_1.2")).isEqualTo("plain-id_1.2");
    }

    @Test
    void shapesTellWindowsApartAndCalendarPeriodsFollowTheZone() {
        WindowSpec paris = WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("Europe/Paris"));
        WindowSpec month = WindowSpec.calendar(CalendarPeriod.MONTH, ZoneId.of("UTC"));

        assertThat(KeyLayout.shape(WindowSpec.sliding(Duration.ofMinutes(10), 10))).isEqualTo("s60000x10");
        assertThat(KeyLayout.shape(paris)).isEqualTo("cD-Europe/Paris");
        long at = Instant.parse("2026-03-29T12:00:00Z").toEpochMilli(); // the day Paris moves to summer time
        assertThat(KeyLayout.period(paris, at)).containsExactly(Instant.parse("2026-03-28T23:00:00Z").toEpochMilli(),
                Instant.parse("2026-03-29T22:00:00Z").toEpochMilli());
        assertThat(KeyLayout.period(month, at)).containsExactly(Instant.parse("2026-03-01T00:00:00Z").toEpochMilli(),
                Instant.parse("2026-04-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void keysFoundByScanAreReadBackToTheirBudgetKeyAndShape() {
        KeyLayout layout = new KeyLayout("a*g[", "bot");
        WindowSpec paris = WindowSpec.calendar(CalendarPeriod.WEEK, ZoneId.of("Europe/Paris"));
        WindowSpec sliding = WindowSpec.sliding(Duration.ofMinutes(10), 10);
        BudgetKey key = new BudgetKey("b:1", Scope.TENANT, "s {1}:é%", paris);

        String[] parts = layout.parts(layout.suspension(key));
        assertThat(parts).hasSize(5);
        BudgetKey back = KeyLayout.keyOf(parts, KeyLayout.spec(KeyLayout.shape(paris)));
        assertThat(back).isEqualTo(key);
        assertThat(back.scopeKey()).isEqualTo("s {1}:é%");
        assertThat(back.window()).isEqualTo(paris);
        assertThat(KeyLayout.spec(KeyLayout.shape(sliding))).isEqualTo(sliding);
        assertThat(KeyLayout.spec("cX-UTC")).isNull();
        assertThat(KeyLayout.decode(KeyLayout.encode(""))).isEmpty();
        assertThat(layout.parts("a*g[{bot}:holds")).as("not a window key").isNull();
        assertThat(layout.parts("other:{bot}:w:b:session:k:r")).isNull();
    }

    @Test
    void scanPatternsMatchOnlyTheirOwnKeys() {
        KeyLayout layout = new KeyLayout("a*g[", "bot");
        BudgetKey key = new BudgetKey("b", Scope.SESSION, "k", WindowSpec.sliding(Duration.ofMinutes(1)));

        assertThat(layout.windowsPattern(null)).isEqualTo("a\\*g\\[{bot}:w:*");
        assertThat(layout.windowsPattern("b")).isEqualTo("a\\*g\\[{bot}:w:b:*");
        assertThat(layout.windowPattern(key)).isEqualTo("a\\*g\\[{bot}:w:b:session:k:*");
        assertThat(layout.suspensionsPattern()).isEqualTo("a\\*g\\[{bot}:w:*:s");
    }
}
