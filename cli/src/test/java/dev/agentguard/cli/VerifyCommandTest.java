package dev.agentguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-guard verify} on audit files written by a real guard. */
class VerifyCommandTest {

    @TempDir
    Path dir;

    private RecordedRun record() {
        return RecordedRun.demo(dir.resolve("logs/agent-guard-audit.jsonl"));
    }

    @Test
    void anIntactFileIsOkWithItsRecordCount() {
        RecordedRun run = record();

        Cli.Run r = Cli.run("verify", run.auditFile.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(0);
        assertThat(r.out()).startsWith("OK " + run.events.size() + " records in 1 file, chain intact (sha256)");
    }

    @Test
    void anEditedLineIsNamedAndExitsOne() throws Exception {
        RecordedRun run = record();
        List<String> lines = Files.readAllLines(run.auditFile);
        lines.set(4, lines.get(4).replace("\"allow\"", "\"block\""));
        Files.write(run.auditFile, lines, StandardCharsets.UTF_8);

        Cli.Run r = Cli.run("verify", run.auditFile.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).startsWith("FAILED agent-guard-audit.jsonl:5 edited:");
    }

    @Test
    void aDeletedLineIsFound() throws Exception {
        RecordedRun run = record();
        List<String> lines = Files.readAllLines(run.auditFile);
        lines.remove(10);
        Files.write(run.auditFile, lines, StandardCharsets.UTF_8);

        Cli.Run r = Cli.run("verify", "--json", run.auditFile.toString());

        assertThat(r.status()).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("ok").asBoolean()).isFalse();
        JsonNode set = json.get("sets").get(0);
        assertThat(set.get("problem").asText()).isEqualTo("deleted");
        assertThat(set.get("line").asLong()).isEqualTo(11);
        assertThat(set.get("records").asLong()).isLessThan(run.events.size());
    }

    @Test
    void jsonOfAnIntactSetListsItsFiles() throws Exception {
        RecordedRun run = record();

        Cli.Run r = Cli.run("verify", "--json", dir.resolve("logs").toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(0);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("ok").asBoolean()).isTrue();
        assertThat(json.get("sets")).hasSize(1);
        JsonNode set = json.get("sets").get(0);
        assertThat(set.get("records").asLong()).isEqualTo(run.events.size());
        assertThat(set.get("algorithm").asText()).isEqualTo("sha256");
        assertThat(set.get("files").get(0).asText()).isEqualTo(run.auditFile.toString());
    }

    @Test
    void aDirectoryVerifiesEverySetInItAndFailsIfOneIsBroken() throws Exception {
        RecordedRun a = RecordedRun.demo(dir.resolve("logs/a.jsonl"));
        RecordedRun b = RecordedRun.demo(dir.resolve("logs/b.jsonl"));
        Files.writeString(dir.resolve("logs/notes.txt"), "not an audit file\n");
        Cli.Run ok = Cli.run("verify", dir.resolve("logs").toString());
        assertThat(ok.status()).as(ok.toString()).isEqualTo(0);
        assertThat(ok.out().lines()).hasSize(2).allMatch(l -> l.contains(": OK "));

        Files.delete(b.auditFile.resolveSibling("b.jsonl.head"));
        Cli.Run broken = Cli.run("verify", dir.resolve("logs").toString());

        assertThat(broken.status()).isEqualTo(1);
        assertThat(broken.out()).contains(a.auditFile + ": OK").contains("b.jsonl: FAILED");
    }

    @Test
    void aCheckpointBeyondTheEndFindsACutTail() throws Exception {
        RecordedRun run = record();
        // a checkpoint the decision log would have logged: record N with its hash
        List<String> lines = Files.readAllLines(run.auditFile);
        String last = lines.get(lines.size() - 1);
        String hash = last.substring(last.indexOf("\"hash\":\"") + 8, last.indexOf("\"hash\":\"") + 72);
        String checkpoint = hash + "@" + lines.size();

        assertThat(Cli.run("verify", "--expect", checkpoint, run.auditFile.toString()).status()).isEqualTo(0);

        // cut the last two lines and drop the head, which would otherwise give the cut away by itself
        Files.write(run.auditFile, lines.subList(0, lines.size() - 2), StandardCharsets.UTF_8);
        Files.delete(run.auditFile.resolveSibling("agent-guard-audit.jsonl.head"));
        Cli.Run r = Cli.run("verify", "--allow-missing-head", "--expect", checkpoint, run.auditFile.toString());

        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("2 records are missing from the end");
    }

    @Test
    void aKeyedChainNeedsItsKeyFromTheEnvironment() throws Exception {
        RecordedRun run = record();

        Cli.Run unset = Cli.run("verify", "--key-env", "AUDIT_KEY", run.auditFile.toString());
        assertThat(unset.status()).isEqualTo(2);
        assertThat(unset.err()).contains("AUDIT_KEY is not set");

        // the file was written without a key: checking it with one finds the first line does not match
        Cli.Run wrongKey = Cli.run(java.util.Map.of("AUDIT_KEY", "s3cret"), "verify", "--key-env", "AUDIT_KEY",
                run.auditFile.toString());
        assertThat(wrongKey.status()).isEqualTo(1);
        assertThat(wrongKey.out()).contains("line 1 does not match its hash").contains("another key")
                .doesNotContain("s3cret");
    }

    @Test
    void badUsageExitsTwo() {
        assertThat(Cli.run("verify").status()).isEqualTo(2);
        assertThat(Cli.run("verify", "--no-such-option", "x").status()).isEqualTo(2);
        assertThat(Cli.run("verify", dir.resolve("missing.jsonl").toString()).err()).contains("no such file");
        assertThat(Cli.run("verify", dir.resolve("missing.jsonl").toString()).status()).isEqualTo(2);
        Cli.Run badCheckpoint = Cli.run("verify", "--expect", "abc@1", dir.toString());
        assertThat(badCheckpoint.status()).isEqualTo(2);
        assertThat(badCheckpoint.err()).contains("HASH@COUNT");
    }

    @Test
    void everyCommandHasHelpAndTheExitCodes() {
        for (String command : new String[] {"verify", "report", "replay", "doctor"}) {
            Cli.Run r = Cli.run(command, "--help");
            assertThat(r.status()).as(command).isEqualTo(0);
            assertThat(r.out()).as(command).contains("Usage: agent-guard " + command).contains("Exit status:");
        }
        Cli.Run top = Cli.run("--help");
        assertThat(top.out()).contains("verify").contains("report").contains("replay").contains("doctor");
        assertThat(Cli.run().status()).isEqualTo(2);
        assertThat(Cli.run("no-such-command").status()).isEqualTo(2);
    }
}
