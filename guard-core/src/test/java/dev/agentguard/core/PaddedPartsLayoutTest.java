package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Padding;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The objects a thread writes on every call beside other threads' own (see {@link Padding}) keep their fields
 * {@value Padding#BYTES} bytes or more from either end of the object, as the JVM actually lays them out (offsets
 * read through {@code sun.misc.Unsafe}): a field order the JVM rearranges, or a lock word moved back to the front,
 * fails here rather than as a slower two-thread benchmark.
 */
class PaddedPartsLayoutTest {

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    @ParameterizedTest
    @ValueSource(strings = {"dev.agentguard.core.telemetry.LevelStats$Part",
        "dev.agentguard.core.ledger.CreditLane$Padded",
        "dev.agentguard.core.OpenCalls$Stripe$Padded",
        "dev.agentguard.core.window.LatencyRing"})
    void fieldsStartAfterThePaddingAndEndBeforeTheRoomAfterThem(String name) throws ClassNotFoundException {
        Class<?> type = Class.forName(name);
        List<Field> used = new ArrayList<>();
        List<Field> after = new ArrayList<>();
        for (Class<?> c = type; c != Padding.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    (c == type && f.getName().matches("q\\d\\d") ? after : used).add(f);
                }
            }
        }
        assertThat(used).as("fields of %s", name).isNotEmpty();
        long first = used.stream().mapToLong(UNSAFE::objectFieldOffset).min().orElseThrow();
        assertThat(first).as("offset of the first field of %s", name).isGreaterThanOrEqualTo(Padding.BYTES);
        if (name.endsWith("$Part")) {
            return; // only references follow the lock, and nothing writes them after construction
        }
        long lastEnd = used.stream().mapToLong(f -> UNSAFE.objectFieldOffset(f) + size(f)).max().orElseThrow();
        long end = after.stream().mapToLong(f -> UNSAFE.objectFieldOffset(f) + size(f)).max().orElseThrow();
        assertThat(after.stream().mapToLong(UNSAFE::objectFieldOffset).min().orElseThrow())
                .as("the room of %s comes after its fields", name).isGreaterThanOrEqualTo(lastEnd);
        assertThat(end - lastEnd).as("room after the fields of %s", name).isGreaterThanOrEqualTo(Padding.BYTES);
    }

    private static long size(Field f) {
        Class<?> t = f.getType();
        return t == long.class || t == double.class ? 8 : t == int.class || t == float.class ? 4
                : t == short.class || t == char.class ? 2 : t == byte.class || t == boolean.class ? 1
                : UNSAFE.arrayIndexScale(Object[].class); // a reference: 4 bytes compressed, else 8
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
