package dev.agentguard.cli;

import dev.agentguard.core.audit.AuditFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the {@code FILE|DIR…} arguments of a command into audit sets: a FILE is the active file of a set (its
 * rotated files and head are found beside it), a DIR holds any number of sets, of which those whose first line is
 * an audit record are kept.
 */
final class AuditInputs {

    /** One audit set: its active file (which may be gone) and its files in chain order. */
    record AuditSet(Path active, List<Path> files) {
    }

    private AuditInputs() {
    }

    /**
     * @param arguments files and directories, as given
     * @return the sets, in argument order (a directory's by name)
     * @throws AgentGuardCli.UsageException if an argument does not exist, or names no audit file
     */
    static List<AuditSet> resolve(List<Path> arguments) {
        List<AuditSet> sets = new ArrayList<>();
        for (Path a : arguments) {
            if (Files.isDirectory(a)) {
                int before = sets.size();
                for (Path active : AuditFiles.activeFiles(a)) {
                    List<Path> files = AuditFiles.set(active);
                    if (!files.isEmpty() && startsLikeAuditRecord(files.get(0), false)) {
                        sets.add(new AuditSet(active, files));
                    }
                }
                if (sets.size() == before) {
                    throw new AgentGuardCli.UsageException("no audit file in directory " + a);
                }
            } else {
                List<Path> files = AuditFiles.set(a);
                if (files.isEmpty()) {
                    throw new UncheckedIOException(new NoSuchFileException(a.toString()));
                }
                sets.add(new AuditSet(a, files));
            }
        }
        return sets;
    }

    /**
     * @param file a file
     * @param emptyToo whether an empty file counts (an active file with no record yet)
     * @return true if the file starts as the audit sink writes a record
     */
    static boolean startsLikeAuditRecord(Path file, boolean emptyToo) {
        byte[] start = new byte[8];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while (n < start.length && (r = in.read(start, n, start.length - n)) > 0) {
                n += r;
            }
        } catch (IOException e) {
            return false;
        }
        return n == 0 ? emptyToo : new String(start, 0, n, StandardCharsets.US_ASCII).startsWith("{\"seq\":");
    }
}
