package dev.agentguard.core.audit;

import static dev.agentguard.core.audit.AuditFixtures.lines;
import static dev.agentguard.core.audit.AuditFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.audit.VerificationResult.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tampering with an audit file: deleting, editing, inserting or swapping any one line fails verification and
 * names that line; with a key, a chain recomputed without it fails too.
 */
class AuditVerifierTest {

    private static final String KEY = "a-key-from-the-environment-0123";

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private Path file;
    private List<String> original;

    @BeforeEach
    void writeAFile() {
        file = dir.resolve("audit.jsonl");
        original = writeSet(file, null, 0, 3);
        assertThat(original).hasSizeGreaterThan(40);
    }

    private List<String> writeSet(Path path, String key, long rotateAt, int sessions) {
        AuditConfig.Builder c = AuditConfig.builder().file(path).shutdownHook(false).rotateAtBytes(rotateAt);
        AuditSink.Builder b = AuditSink.builder(c.hmacKeyEnv(key == null ? null : "K").build()).clock(clock);
        if (key != null) {
            b.environment(Map.of("K", key)::get);
        }
        AuditSink sink = b.build();
        List<DecisionEvent> events = AuditFixtures.sessionEvents();
        for (int i = 0; i < sessions; i++) {
            events.forEach(sink::onDecision);
        }
        sink.close();
        return Files.exists(path) ? lines(path) : List.of();
    }

    private VerificationResult verify() {
        return AuditVerifier.builder().build().verify(file);
    }

    private void assertFails(VerificationResult r, Problem problem, long line) {
        assertThat(r.ok()).as("tampering went unnoticed").isFalse();
        assertThat(r.problem()).as(r.toString()).isEqualTo(problem);
        assertThat(r.line()).as(r.toString()).isEqualTo(line);
    }

    @Test
    void anUntouchedFileVerifies() {
        VerificationResult r = verify();

        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.records()).isEqualTo(original.size());
        assertThat(r.algorithm()).isEqualTo("sha256");
        assertThat(r.toString()).startsWith("OK " + original.size() + " records in 1 file, chain intact (sha256)");
    }

    @Test
    void deletingAnyOneLineIsFoundAtThatLine() {
        for (int k = 1; k <= original.size(); k++) {
            List<String> l = new ArrayList<>(original);
            l.remove(k - 1);
            write(file, l);

            assertFails(verify(), Problem.DELETED, k);
        }
    }

    @Test
    void editingAnyOneLineIsFoundAtThatLine() {
        for (int k = 1; k <= original.size(); k++) {
            List<String> l = new ArrayList<>(original);
            l.set(k - 1, l.get(k - 1).replace("support-bot", "support-b0t"));
            write(file, l);

            assertFails(verify(), Problem.EDITED, k);
        }
    }

    @Test
    void insertingACopiedLineAnywhereIsFoundAtThatLine() {
        int n = original.size();
        for (int k = 1; k <= n + 1; k++) {
            List<String> l = new ArrayList<>(original);
            int copied = (k - 1 + n / 2) % n; // never the line that ends up next to it
            l.add(k - 1, original.get(copied));
            write(file, l);

            assertFails(verify(), Problem.INSERTED, k);
        }
    }

    @Test
    void insertingAForgedLineWithAValidHashIsFoundAtThatLine() {
        ChainHasher sha = ChainHasher.of(null);
        int n = original.size();
        for (int k = 1; k <= n + 1; k++) {
            List<String> l = new ArrayList<>(original);
            String prev = k == 1 ? ChainHasher.GENESIS : hashOf(original.get(k - 2));
            l.add(k - 1, forge("{\"seq\":1,\"action\":\"allow\",\"reason\":\"nothing to see\"}", prev, sha));
            write(file, l);

            assertFails(verify(), Problem.INSERTED, k);
        }
    }

    @Test
    void insertingABlankLineIsFoundAtThatLine() {
        List<String> l = new ArrayList<>(original);
        l.add(10, "");
        write(file, l);

        assertFails(verify(), Problem.INSERTED, 11);
    }

    @Test
    void swappingAnyTwoNeighboursIsFoundAtTheFirstOfThem() {
        for (int k = 1; k < original.size(); k++) {
            List<String> l = new ArrayList<>(original);
            Collections.swap(l, k - 1, k);
            write(file, l);

            assertFails(verify(), Problem.REORDERED, k);
        }
    }

    @Test
    void movingALineFurtherDownIsFoundWhereItWas() {
        List<String> l = new ArrayList<>(original);
        String moved = l.remove(2);
        l.add(20, moved);
        write(file, l);

        VerificationResult r = verify();

        assertFails(r, Problem.REORDERED, 3);
        assertThat(r.message()).contains("continues from line 21");
    }

    @Test
    void aCutShortLastLineIsFound() throws IOException {
        String text = String.join("\n", original);
        Files.writeString(file, text.substring(0, text.length() - 10));

        assertFails(verify(), Problem.MALFORMED, original.size());
    }

    @Test
    void anEditedHeadIsFound() throws IOException {
        Path head = dir.resolve("audit.jsonl.head");
        Files.writeString(head, Files.readString(head).replaceFirst("\"lines\":\\d+", "\"lines\":3"));

        VerificationResult r = verify();

        assertThat(r.problem()).isEqualTo(Problem.HEAD);
        assertThat(r.message()).contains("does not match its seal");
    }

    @Test
    void withoutAHeadTheEndIsNotSealedAndVerificationFailsUnlessAllowed() throws IOException {
        Files.delete(dir.resolve("audit.jsonl.head"));
        List<String> l = new ArrayList<>(original);
        l.remove(l.size() - 1);
        write(file, l);

        VerificationResult r = verify();
        VerificationResult allowed = AuditVerifier.builder().allowMissingHead(true).build().verify(file);

        assertThat(r.ok()).isFalse();
        assertThat(r.problem()).isEqualTo(VerificationResult.Problem.HEAD);
        assertThat(r.file().getFileName().toString()).isEqualTo("audit.jsonl.head");
        assertThat(r.message()).contains("no head file");
        assertThat(allowed.ok()).isTrue();
        assertThat(allowed.notes()).anyMatch(n -> n.contains("no head file"));
    }

    @Test
    void aKeyedChainRecomputedWithoutTheKeyFailsAtTheFirstChangedLine() throws IOException {
        Path keyed = dir.resolve("keyed.jsonl");
        List<String> lines = writeSet(keyed, KEY, 0, 3);
        AuditVerifier withKey = AuditVerifier.builder().key(KEY.getBytes(StandardCharsets.UTF_8)).build();
        assertThat(withKey.verify(keyed).ok()).isTrue();
        int k = 17;

        // the attacker edits line 17 and recomputes the chain from there, and the head, with plain SHA-256
        List<String> forged = recompute(lines, k, line -> line.replace("support-bot", "support-b0t"));
        write(keyed, forged);
        sealHead(keyed, forged, ChainHasher.of(null));

        VerificationResult r = withKey.verify(keyed);
        assertFails(r, Problem.EDITED, k);
        assertThat(r.algorithm()).isEqualTo("hmac-sha256");
    }

    @Test
    void aPlainChainCanBeRecomputedByWhoeverEditsTheFileWhichIsWhyThereIsAKey() throws IOException {
        List<String> forged = recompute(original, 17, line -> line.replace("support-bot", "support-b0t"));
        write(file, forged);
        sealHead(file, forged, ChainHasher.of(null));

        assertThat(verify().ok()).isTrue();
    }

    @Test
    void aRotatedSetVerifiesAsOneChainAndNamesTheFileOfAProblem() throws IOException {
        Path active = dir.resolve("rotated/audit.jsonl");
        writeSet(active, null, 2048, 3);
        List<Path> set = AuditFiles.set(active);
        assertThat(set.size()).isGreaterThan(5);
        assertThat(AuditVerifier.builder().build().verify(active).ok()).isTrue();

        // the last line of the second file goes: the third file's first line says so
        List<String> second = lines(set.get(1));
        write(set.get(1), second.subList(0, second.size() - 1));
        VerificationResult r = AuditVerifier.builder().build().verify(active);

        assertFails(r, Problem.DELETED, 1);
        assertThat(r.file()).isEqualTo(set.get(2));
        assertThat(r.toString()).startsWith("FAILED audit.2026-03-02.3.jsonl:1 deleted: ");
    }

    @Test
    void deletingAWholeRotatedFileIsFound() throws IOException {
        Path active = dir.resolve("rotated/audit.jsonl");
        writeSet(active, null, 2048, 3);
        List<Path> set = AuditFiles.set(active);
        Files.delete(set.get(2));

        VerificationResult r = AuditVerifier.builder().build().verify(active);

        assertFails(r, Problem.DELETED, 1);
        assertThat(r.file()).isEqualTo(set.get(3));
    }

    @Test
    void aSetWhoseOldestFilesWereRemovedVerifiesWhenToldSo() throws IOException {
        Path active = dir.resolve("rotated/audit.jsonl");
        writeSet(active, null, 2048, 3);
        Files.delete(AuditFiles.set(active).get(0));

        assertFails(AuditVerifier.builder().build().verify(active), Problem.DELETED, 1);
        VerificationResult partial = AuditVerifier.builder().allowMissingStart(true).build().verify(active);
        assertThat(partial.ok()).as(partial.toString()).isTrue();
        assertThat(partial.notes()).anyMatch(n -> n.contains("starts after the genesis"));
    }

    @Test
    void theCommandLineExitsZeroOneOrTwo() throws IOException {
        assertThat(cli(file.toString())).startsWith("0 OK ");
        assertThat(cli("--key-env", "K", file.toString())).startsWith("1 FAILED audit.jsonl:1 edited: ");
        assertThat(cli()).startsWith("2 error: name an audit file");
        assertThat(cli("--nope", file.toString())).startsWith("2 error: unknown option --nope");
        assertThat(cli(dir.resolve("missing.jsonl").toString())).startsWith("2 cannot read");

        List<String> l = new ArrayList<>(original);
        Collections.swap(l, 4, 5);
        write(file, l);
        assertThat(cli(file.toString())).startsWith("1 FAILED audit.jsonl:5 reordered: line 5 is out of order");
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int status = AuditVerifier.run(args, ps, ps, Map.of("K", KEY)::get);
        return status + " " + out.toString(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------ forging

    private static String hashOf(String line) {
        return line.substring(line.length() - 66, line.length() - 2);
    }

    /** A line with a valid hash for the given prev, as anyone without the key can make. */
    private static String forge(String json, String prev, ChainHasher hasher) {
        String prefix = json.substring(0, json.length() - 1) + ",\"prev\":\"" + prev + "\"";
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        return prefix + ",\"hash\":\"" + hasher.hash(b, 0, b.length) + "\"}";
    }

    /** Edits line k and recomputes the chain (plain SHA-256) from it on. */
    private static List<String> recompute(List<String> lines, int k, java.util.function.UnaryOperator<String> edit) {
        ChainHasher sha = ChainHasher.of(null);
        List<String> out = new ArrayList<>(lines.subList(0, k - 1));
        String prev = k == 1 ? ChainHasher.GENESIS : hashOf(lines.get(k - 2));
        for (int i = k - 1; i < lines.size(); i++) {
            String line = i == k - 1 ? edit.apply(lines.get(i)) : lines.get(i);
            String body = line.substring(0, line.length() - AuditLine.SUFFIX_LENGTH - AuditLine.PREV_LENGTH - 1) + "}";
            String forged = forge(body, prev, sha);
            out.add(forged);
            prev = hashOf(forged);
        }
        return out;
    }

    private static void sealHead(Path file, List<String> lines, ChainHasher hasher) throws IOException {
        String name = file.getFileName().toString();
        Files.writeString(AuditFiles.head(file), AuditHead.text(name, lines.size(), hashOf(lines.get(lines.size() - 1)), -1,
                hasher));
    }
}
