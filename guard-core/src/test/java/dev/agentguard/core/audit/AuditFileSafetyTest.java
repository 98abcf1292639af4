package dev.agentguard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 5 (the core part): an audit file that names something else is refused and left as it was, and
 * two sinks cannot append to one file.
 */
class AuditFileSafetyTest {

    @TempDir
    Path dir;

    private static AuditConfig config(Path file) {
        return AuditConfig.builder().file(file).shutdownHook(false).build();
    }

    @Test
    void anExistingFileThatIsNotAnAuditFileIsRefusedAndLeftIntact() throws IOException {
        Path notes = dir.resolve("notes.txt");
        String text = "line one\nthe last line has no newline";
        Files.writeString(notes, text);

        assertThatThrownBy(() -> AuditSink.open(config(notes))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not an audit file");
        assertThat(Files.readString(notes)).isEqualTo(text);
        assertThat(AuditSink.checkFile(notes)).hasValueSatisfying(m -> assertThat(m).contains("not an audit file"));
    }

    @Test
    void aDirectoryIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> AuditSink.open(config(dir))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is a directory");
        assertThat(AuditSink.checkFile(dir.resolve("new.jsonl"))).isEmpty();
    }

    @Test
    void twoSinksCannotAppendToOneFile() {
        Path file = dir.resolve("audit.jsonl");
        AuditSink first = AuditSink.open(config(file));
        try {
            assertThatThrownBy(() -> AuditSink.open(config(file))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already open by another audit sink");
        } finally {
            first.close();
        }
        AuditSink.open(config(file)).close(); // closed: the file is free again
        assertThat(AuditVerifier.builder().build().verify(file).ok()).isTrue();
    }
}
