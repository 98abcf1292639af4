package dev.agentguard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sets of a directory, as the command line finds them. */
class AuditFilesTest {

    @TempDir
    Path dir;

    @Test
    void aDirectoryHoldsOneSetPerActiveFileHeadsLocksAndHiddenFilesAside() throws Exception {
        for (String name : new String[] {"audit.jsonl", "audit.jsonl.head", "audit.jsonl.lock",
                "audit.2026-03-01.1.jsonl", "audit.2026-03-01.2.jsonl", "old.2026-02-01.1.jsonl", ".hidden"}) {
            Files.writeString(dir.resolve(name), "");
        }
        Files.createDirectory(dir.resolve("sub"));

        assertThat(AuditFiles.activeFiles(dir)).containsExactly(dir.resolve("audit.jsonl"), dir.resolve("old.jsonl"));
        assertThat(AuditFiles.set(dir.resolve("audit.jsonl"))).containsExactly(dir.resolve("audit.2026-03-01.1.jsonl"),
                dir.resolve("audit.2026-03-01.2.jsonl"), dir.resolve("audit.jsonl"));
        assertThat(AuditFiles.set(dir.resolve("old.jsonl"))).containsExactly(dir.resolve("old.2026-02-01.1.jsonl"));
    }
}
