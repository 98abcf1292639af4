package dev.agentguard.core.audit;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link AuditVerifier} found: either an intact chain, or the first problem with the file and line it is
 * at. Line numbers count from 1 within their file. Messages name lines, never their content.
 */
public final class VerificationResult {

    /** The kind of the first problem found. */
    public enum Problem {
        /** A line's content no longer matches its hash. */
        EDITED,
        /** A record is missing: the line named follows a record that is not there (or the end is missing). */
        DELETED,
        /** A line that the chain does not include (a forged or copied record). */
        INSERTED,
        /** A line is out of order: it continues from a record that comes later. */
        REORDERED,
        /** A line is not a chained audit record at all (or is cut short). */
        MALFORMED,
        /** The head file, which seals the end of the chain, is missing, was edited or does not match the file. */
        HEAD
    }

    private final boolean ok;
    private final long records;
    private final List<Path> files;
    private final String algorithm;
    private final Problem problem;
    private final Path file;
    private final long line;
    private final String message;
    private final List<String> notes;

    VerificationResult(long records, List<Path> files, String algorithm, Problem problem, Path file, long line,
            String message, List<String> notes) {
        this.ok = problem == null;
        this.records = records;
        this.files = List.copyOf(files);
        this.algorithm = algorithm;
        this.problem = problem;
        this.file = file;
        this.line = line;
        this.message = message;
        this.notes = List.copyOf(notes);
    }

    /** @return true if every line is where the chain says and nothing is missing */
    public boolean ok() {
        return ok;
    }

    /** @return the lines read (all of them when ok, up to the problem otherwise) */
    public long records() {
        return records;
    }

    /** @return the files checked, in chain order */
    public List<Path> files() {
        return files;
    }

    /** @return {@code sha256} or {@code hmac-sha256} */
    public String algorithm() {
        return algorithm;
    }

    /** @return the kind of the first problem, or null when ok */
    public Problem problem() {
        return problem;
    }

    /** @return the file of the first problem, or null when ok */
    public Path file() {
        return file;
    }

    /**
     * @return the 1-based line of the first problem within {@link #file()}; 0 when ok, or when the problem is a
     *     file as a whole (a missing head file)
     */
    public long line() {
        return line;
    }

    /** @return one sentence about the first problem, or null when ok */
    public String message() {
        return message;
    }

    /** @return things worth knowing that are not problems (no head file, a partial set accepted…) */
    public List<String> notes() {
        return notes;
    }

    /** @return {@code OK ...} or {@code FAILED file:line kind: message}, then the notes, one per line */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (ok) {
            sb.append("OK ").append(records).append(" records in ").append(files.size())
                    .append(files.size() == 1 ? " file" : " files").append(", chain intact (").append(algorithm)
                    .append(')');
        } else {
            sb.append("FAILED ").append(file == null ? "-" : file.getFileName()).append(':').append(line).append(' ')
                    .append(problem.name().toLowerCase(java.util.Locale.ROOT)).append(": ").append(message);
        }
        for (String n : notes) {
            sb.append(System.lineSeparator()).append("note: ").append(n);
        }
        return sb.toString();
    }
}
