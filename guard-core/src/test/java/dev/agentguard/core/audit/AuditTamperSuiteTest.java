package dev.agentguard.core.audit;

import static dev.agentguard.core.audit.AuditFixtures.lines;
import static dev.agentguard.core.audit.AuditFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.log.CapturedDecisionLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.KeyValuePair;

/**
 * Issue 15, item 3 and acceptance: every way of tampering with a rotated audit set (edit, delete, insert, swap,
 * truncate, cut the tail, delete the head, roll the head back, delete the active file, delete a rotated file), with
 * and without HMAC, is detected with the file (and line) named; the command line exits 0, 1 or 2.
 */
class AuditTamperSuiteTest {

    private static final String KEY = "a-key-from-the-environment-0123";

    @TempDir
    Path base;

    @RegisterExtension
    final CapturedDecisionLog log = new CapturedDecisionLog();

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));

    /** An audit set over three days (two rotated files and the active one), written by two runs. */
    private final class Set {
        final Path dir;
        final String key;
        Path active;
        String olderHead;
        int olderActiveLines;
        String checkpoint;

        Set(Path dir, String key) {
            this.dir = dir;
            this.key = key;
        }

        Set write() throws IOException {
            active = dir.resolve("audit.jsonl");
            AuditSink first = sink();
            for (int day = 0; day < 3; day++) {
                events().forEach(first::onDecision);
                assertThat(first.flush()).isTrue();
                clock.advance(day < 2 ? Duration.ofDays(1) : Duration.ofHours(1));
            }
            first.close();
            olderHead = Files.readString(AuditFiles.head(active));
            olderActiveLines = lines(active).size();
            AuditSink second = sink();
            events().subList(0, 5).forEach(second::onDecision);
            second.close();
            checkpoint = lastCheckpoint();
            assertThat(AuditFiles.rotated(active)).hasSize(2);
            assertThat(verifier(false).verify(active).ok()).as("the untouched set verifies").isTrue();
            return this;
        }

        /** One session's decisions, stamped with the test's clock (so that rotation sees their day). */
        private List<DecisionEvent> events() {
            List<DecisionEvent> events = new ArrayList<>();
            FakeTicker ticker = new FakeTicker();
            Guard guard = Guard.builder(AuditFixtures.policy()).ticker(ticker).clock(clock).listener(events::add)
                    .build();
            AuditFixtures.session(guard, ticker, AuditFixtures.S42);
            return events;
        }

        private AuditSink sink() {
            AuditSink.Builder b = AuditSink.builder(AuditConfig.builder().file(active).shutdownHook(false)
                    .rotateDaily(true).hmacKeyEnv(key == null ? null : "K").build()).clock(clock);
            if (key != null) {
                b.environment(Map.of("K", key)::get);
            }
            return b.build();
        }

        AuditVerifier verifier(boolean withCheckpoint) {
            AuditVerifier.Builder b = AuditVerifier.builder();
            if (key != null) {
                b.key(key.getBytes(StandardCharsets.UTF_8));
            }
            if (withCheckpoint) {
                b.expect(checkpoint);
            }
            return b.build();
        }

        /** @return a copy of the set in a fresh directory, to tamper with */
        Set copy(String name) throws IOException {
            Path to = Files.createDirectories(base.resolve(name + (key == null ? "-sha" : "-hmac")));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Set s = new Set(to, key);
            s.active = to.resolve("audit.jsonl");
            s.olderHead = olderHead;
            s.olderActiveLines = olderActiveLines;
            s.checkpoint = checkpoint;
            return s;
        }

        Path rotated(int i) {
            return AuditFiles.rotated(active).get(i).path;
        }
    }

    private String lastCheckpoint() {
        String last = null;
        for (ILoggingEvent e : log.events()) {
            for (KeyValuePair kv : e.getKeyValuePairs() == null ? List.<KeyValuePair>of() : e.getKeyValuePairs()) {
                if (kv.key.equals("checkpoint")) {
                    last = String.valueOf(kv.value);
                }
            }
        }
        assertThat(last).as("a checkpoint was logged").isNotNull();
        return last;
    }

    private interface Tamper {
        void apply(Set s) throws IOException;
    }

    private static void edit(Path file, int line, java.util.function.UnaryOperator<String> change) {
        List<String> l = new ArrayList<>(lines(file));
        l.set(line - 1, change.apply(l.get(line - 1)));
        write(file, l);
    }

    private static Map<String, Tamper> tampers() {
        Map<String, Tamper> t = new java.util.LinkedHashMap<>();
        t.put("edit a line of a rotated file", s -> edit(s.rotated(0), 5, x -> x.replace("\"s-42\"", "\"s-43\"")));
        t.put("delete a line", s -> {
            List<String> l = new ArrayList<>(lines(s.active));
            l.remove(3);
            write(s.active, l);
        });
        t.put("insert a line", s -> {
            List<String> l = new ArrayList<>(lines(s.rotated(1)));
            l.add(4, l.get(9));
            write(s.rotated(1), l);
        });
        t.put("swap two lines", s -> {
            List<String> l = new ArrayList<>(lines(s.active));
            Collections.swap(l, 2, 3);
            write(s.active, l);
        });
        t.put("truncate the active file mid-line", s -> {
            byte[] b = Files.readAllBytes(s.active);
            Files.write(s.active, java.util.Arrays.copyOf(b, b.length - 40));
        });
        t.put("cut the tail", s -> {
            List<String> l = lines(s.active);
            write(s.active, l.subList(0, l.size() - 3));
        });
        t.put("cut the tail and delete the head", s -> {
            List<String> l = lines(s.active);
            write(s.active, l.subList(0, l.size() - 3));
            Files.delete(AuditFiles.head(s.active));
        });
        t.put("cut the tail and roll the head back", s -> {
            write(s.active, lines(s.active).subList(0, s.olderActiveLines));
            Files.writeString(AuditFiles.head(s.active), s.olderHead);
        });
        t.put("delete the active file and its head", s -> {
            Files.delete(s.active);
            Files.delete(AuditFiles.head(s.active));
        });
        t.put("delete a rotated file", s -> Files.delete(s.rotated(1)));
        t.put("delete the oldest rotated file", s -> Files.delete(s.rotated(0)));
        return t;
    }

    @ParameterizedTest(name = "hmac={0}")
    @ValueSource(booleans = {false, true})
    void everyTamperingIsDetectedWithTheFileNamed(boolean hmac) throws IOException {
        Set original = new Set(Files.createDirectories(base.resolve(hmac ? "hmac" : "sha")), hmac ? KEY : null)
                .write();
        List<String> missed = new ArrayList<>();
        for (Map.Entry<String, Tamper> t : tampers().entrySet()) {
            Set s = original.copy(t.getKey().replace(' ', '-'));
            t.getValue().apply(s);
            // with the latest checkpoint from the decision log, as a reviewer with the shipped logs verifies
            VerificationResult r = s.verifier(true).verify(s.active);
            if (r.ok() || r.file() == null) {
                missed.add(t.getKey() + ": " + r);
            }
            if (!r.ok() && r.line() == 0) {
                assertThat(r.problem()).as(t.getKey() + ": " + r).isEqualTo(VerificationResult.Problem.HEAD);
            }
            // without it, everything but a consistent roll-back of file and head is still found
            VerificationResult plain = s.verifier(false).verify(s.active);
            if (plain.ok() != t.getKey().contains("roll the head back")) {
                missed.add(t.getKey() + " without a checkpoint: " + plain);
            }
        }
        assertThat(missed).as("tampering not detected, or detected without naming a file").isEmpty();
    }

    @Test
    void theCommandLineExitsZeroWhenIntactOneOnFindingsTwoOnBadUsage() throws IOException {
        Set s = new Set(Files.createDirectories(base.resolve("cli")), KEY).write();
        Map<String, String> env = Map.of("K", KEY);

        assertThat(cli(env, "--key-env", "K", "--expect", s.checkpoint, s.active.toString())).isZero();
        assertThat(out).startsWith("OK ");

        write(s.active, lines(s.active).subList(0, s.olderActiveLines));
        Files.writeString(AuditFiles.head(s.active), s.olderHead);
        assertThat(cli(env, "--key-env", "K", s.active.toString())).as("a consistent roll-back alone").isZero();
        assertThat(cli(env, "--key-env", "K", "--expect", s.checkpoint, s.active.toString())).isEqualTo(1);
        assertThat(out).startsWith("FAILED audit.jsonl:" + (s.olderActiveLines + 1) + " deleted:");

        Files.delete(AuditFiles.head(s.active));
        assertThat(cli(env, "--key-env", "K", s.active.toString())).isEqualTo(1);
        assertThat(out).startsWith("FAILED audit.jsonl.head:0 head: no head file");
        assertThat(cli(env, "--key-env", "K", "--allow-missing-head", s.active.toString())).isZero();

        assertThat(cli(env, "--expect", "not-a-checkpoint", s.active.toString())).isEqualTo(2);
        assertThat(err).contains("HASH@COUNT");
        assertThat(cli(env, "--frobnicate", s.active.toString())).isEqualTo(2);
        assertThat(cli(env)).isEqualTo(2);
        assertThat(cli(env, "--key-env", "UNSET", s.active.toString())).isEqualTo(2);
        assertThat(cli(env, base.resolve("nothing-here.jsonl").toString())).isEqualTo(2);
    }

    private String out;
    private String err;

    private int cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
                PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            status = AuditVerifier.run(args, po, pe, env::get);
        } catch (UncheckedIOException ex) {
            throw ex;
        }
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return status;
    }
}
