package dev.agentguard.core.audit;

import dev.agentguard.core.audit.VerificationResult.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks an audit file, or a rotated set, and names the first line that was edited, deleted, inserted or
 * reordered.
 *
 * <p>Each line's hash must match its bytes (SHA-256, or HMAC-SHA256 with the key the file was written with),
 * and its {@code prev} must be the hash of the line before it (across rotated files); the first line of a set
 * follows the all-zero genesis hash unless {@link Builder#allowMissingStart(boolean)} accepts a set whose oldest
 * files were deleted. When a link breaks, a second pass over the set tells a deletion (the line follows a record
 * that is not there) from an insertion (a line the chain skips, or a copy of another line) and a reordering
 * (the line follows a record that comes after it). The head file beside the active file seals the end: lines
 * removed from the end, or appended after the sink closed, are found through it.
 *
 * <p>A plain SHA-256 chain catches accidents and naive edits; whoever can edit the file can also recompute the
 * whole chain and head. With a key (from an environment variable, never on the command line) a chain recomputed
 * without it fails at the first line changed.
 *
 * <p>The end of the chain is anchored twice. The head file must be there (unless
 * {@link Builder#allowMissingHead(boolean)}): a set whose head was deleted with its last lines fails. And since a
 * head can be removed or put back in an older version along with the lines, the checkpoints that the sink logs on
 * the decision logger (shipped elsewhere with the logs) can be given ({@link Builder#expect(String)}): the chain
 * must then hold each checkpoint's record, with its hash.
 *
 * <p>Command line, exit status 0 when intact, 1 when a problem is found, 2 on a usage or I/O error:
 * <pre>
 * java -cp agent-guard-core.jar:jackson-core.jar:jackson-databind.jar:jackson-annotations.jar:slf4j-api.jar \
 *     dev.agentguard.core.audit.AuditVerifier [--key-env NAME] [--expect HASH@COUNT]... [--partial] [--live] \
 *     [--allow-missing-head] FILE [FILE...]
 * </pre>
 * One FILE verifies the set of that active file (its rotated files and its head, found beside it); several FILEs
 * verify exactly those files in that order, without a head. Cost: one pass reading and hashing every byte, a
 * second pass (no hashing) only when a link is broken; memory is one line.
 */
public final class AuditVerifier {

    private final byte[] key;
    private final boolean allowMissingStart;
    private final boolean allowUnsealedTail;
    private final boolean allowMissingHead;
    private final List<Checkpoint> expected;

    private AuditVerifier(Builder b) {
        this.key = b.key == null ? null : b.key.clone();
        this.allowMissingStart = b.allowMissingStart;
        this.allowUnsealedTail = b.allowUnsealedTail;
        this.allowMissingHead = b.allowMissingHead;
        this.expected = List.copyOf(b.expected);
    }

    /** A checkpoint from the decision log: the chain held {@code records} records, the last with this hash. */
    private record Checkpoint(String hash, long records) {
        @Override
        public String toString() {
            return hash + "@" + records;
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies the set of an active audit file: its rotated files (oldest first), the file itself and its head.
     *
     * @param auditFile the configured audit file
     * @return the result
     * @throws UncheckedIOException if a file cannot be read
     */
    public VerificationResult verify(Path auditFile) {
        List<Path> files = AuditFiles.set(auditFile);
        Path head = AuditFiles.head(auditFile);
        return run(files, auditFile, Files.exists(head) ? head : null, true);
    }

    /**
     * Verifies exactly these files, in this order, as one chain; no head is checked.
     *
     * @param files the files, oldest first
     * @return the result
     * @throws UncheckedIOException if a file cannot be read
     */
    public VerificationResult verifyFiles(List<Path> files) {
        return run(files, null, null, false);
    }

    // ------------------------------------------------------------------------------------------------ the pass

    private VerificationResult run(List<Path> files, Path active, Path headFile, boolean set) {
        ChainHasher hasher = ChainHasher.of(key);
        List<String> notes = new ArrayList<>();
        AuditHead head = null;
        if (headFile != null) {
            head = AuditHead.read(headFile);
            if (head == null) {
                return new VerificationResult(0, files, hasher.algorithm(), Problem.HEAD, headFile, 1,
                        "the head file is not a head record", notes);
            }
        }
        if (set && files.isEmpty()) {
            if (head != null) {
                return new VerificationResult(0, files, hasher.algorithm(), Problem.DELETED, active, 1,
                        "the audit file is missing, but its head records it", notes);
            }
            throw new UncheckedIOException(new IOException("no audit file at " + active));
        }
        if (set && head == null) {
            Path missing = AuditFiles.head(active);
            String what = Files.exists(active) ? "no head file " + missing.getFileName() + " beside "
                    + active.getFileName() : "the active file " + active.getFileName() + " and its head "
                    + missing.getFileName() + " are missing";
            if (!allowMissingHead) {
                return new VerificationResult(0, files, hasher.algorithm(), Problem.HEAD, missing, 0, what
                        + ": the end of the chain is not sealed, so its last lines may have been removed with the"
                        + " head (--allow-missing-head accepts this)", notes);
            }
            notes.add(what + ": accepted; lines removed from the end are found only by an expected checkpoint");
        }
        Position pos = new Position(files);
        String expected = allowMissingStart ? null : ChainHasher.GENESIS;
        int lastFile = files.size() - 1;
        String sealedHash = null; // the chain's hash after the active file's first head.lines lines
        String beforeActive = ChainHasher.GENESIS; // the chain's hash before the active file
        boolean fromGenesis = !allowMissingStart; // record numbers count from the genesis
        boolean[] met = new boolean[this.expected.size()];
        try (Lines lines = new Lines(files)) {
            while (lines.next()) {
                pos.at(lines.fileIndex, lines.lineNumber);
                if (!lines.newline) {
                    return problem(pos, Problem.MALFORMED, "line " + pos.line + " is cut short (no newline at the"
                            + " end: the writer stopped mid-line, or the end was cut off)", hasher, notes);
                }
                AuditLine parsed = AuditLine.parse(lines.bytes, lines.length);
                if (parsed == null) {
                    AuditLine next = lines.peekNext();
                    boolean skipped = next != null && expected != null && next.prev.equals(expected);
                    return problem(pos, skipped ? Problem.INSERTED : Problem.MALFORMED, skipped
                            ? "line " + pos.line + " is not a chained record and the chain skips it (inserted)"
                            : "line " + pos.line + " is not a chained audit record (edited or damaged)", hasher, notes);
                }
                String actual = hasher.hash(lines.bytes, 0, parsed.prefixLength);
                if (!actual.equals(parsed.hash)) {
                    AuditLine next = lines.peekNext();
                    if (next != null && expected != null && next.prev.equals(expected)
                            && !next.prev.equals(parsed.hash)) {
                        return problem(pos, Problem.INSERTED, "line " + pos.line + " does not match its hash and the"
                                + " chain skips it (inserted)", hasher, notes);
                    }
                    String hint = pos.global == 1 ? " (or the file was written " + (key == null
                            ? "with an HMAC key: give the key" : "with another key, or none") + ")" : "";
                    return problem(pos, Problem.EDITED, "line " + pos.line + " does not match its hash (edited)"
                            + hint, hasher, notes);
                }
                if (expected != null && !parsed.prev.equals(expected)) {
                    return brokenLink(files, pos, parsed, expected, hasher, notes);
                }
                if (expected == null) {
                    notes.add("the set starts after the genesis (its oldest records are not here): accepted");
                    fromGenesis = parsed.prev.equals(ChainHasher.GENESIS);
                }
                for (int c = 0; c < this.expected.size(); c++) {
                    Checkpoint cp = this.expected.get(c);
                    if (fromGenesis ? pos.global == cp.records() : parsed.hash.equals(cp.hash())) {
                        if (!parsed.hash.equals(cp.hash())) {
                            return problem(pos, Problem.EDITED, "line " + pos.line + " is record " + cp.records()
                                    + " of the chain, but its hash is not that of the checkpoint " + cp
                                    + " (the chain was rewritten)", hasher, notes);
                        }
                        met[c] = true;
                    }
                }
                if (lines.fileIndex < lastFile) {
                    beforeActive = parsed.hash;
                } else if (head != null && lines.lineNumber == head.lines) {
                    sealedHash = parsed.hash;
                }
                expected = parsed.hash;
            }
            pos.end(lines.fileIndex, lines.lineNumber);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int c = 0; c < met.length; c++) {
            if (!met[c]) {
                Checkpoint cp = this.expected.get(c);
                Path last = files.get(files.size() - 1);
                long lastLines = pos.fileIndex == files.size() - 1 ? pos.linesInLastFile : 0;
                return new VerificationResult(pos.global, files, hasher.algorithm(), Problem.DELETED, last,
                        lastLines + 1, "the chain ends after " + pos.global + " records without the record of the"
                                + " checkpoint " + cp + (fromGenesis && pos.global < cp.records() ? ": "
                                + (cp.records() - pos.global) + " records are missing from the end" : "")
                                + " (its end was cut off, with its head if the head agrees)", notes);
            }
        }
        if (head != null) {
            if (head.lines == 0) {
                sealedHash = beforeActive;
            }
            VerificationResult r = checkHead(head, headFile, files, active, pos, sealedHash, hasher, notes);
            if (r != null) {
                return r;
            }
        }
        return new VerificationResult(pos.global, files, hasher.algorithm(), null, null, 0, null, notes);
    }

    private VerificationResult checkHead(AuditHead head, Path headFile, List<Path> files, Path active, Position pos,
            String sealedHash, ChainHasher hasher, List<String> notes) {
        if (!head.sealedWith(hasher)) {
            return new VerificationResult(pos.global, files, hasher.algorithm(), Problem.HEAD, headFile, 1,
                    "the head file does not match its seal (edited" + (key == null ? ", or written with an HMAC key"
                            : ", or written with another key") + ")", notes);
        }
        Path last = files.get(files.size() - 1);
        if (!last.getFileName().toString().equals(head.file)) {
            return new VerificationResult(pos.global, files, hasher.algorithm(), Problem.DELETED, active, 1,
                    "the active file " + head.file + " that the head seals is missing", notes);
        }
        long activeLines = pos.linesInLastFile;
        if (activeLines < head.lines) {
            long missing = head.lines - activeLines;
            return new VerificationResult(pos.global, files, hasher.algorithm(), Problem.DELETED, last,
                    activeLines + 1, (missing == 1 ? "line " + (activeLines + 1) + " is" : "lines " + (activeLines + 1)
                            + ".." + head.lines + " are") + " missing from the end: the head file records "
                            + head.lines + " lines", notes);
        }
        if (!head.hash.equals(sealedHash)) {
            return new VerificationResult(pos.global, files, hasher.algorithm(), Problem.HEAD, last,
                    Math.max(1, head.lines), "line " + head.lines + " is not the line the head file sealed (the"
                            + " chain was rewritten up to it)", notes);
        }
        if (activeLines > head.lines) {
            String what = (activeLines - head.lines) + " line(s) after line " + head.lines
                    + ", where the head file seals the chain";
            if (!allowUnsealedTail) {
                return new VerificationResult(pos.global, files, hasher.algorithm(), Problem.INSERTED, last,
                        head.lines + 1, "line " + (head.lines + 1) + " and after are not sealed by the head file ("
                                + what + "): appended after the writer closed, or written since the head's last"
                                + " update by a writer that is running or crashed (--live accepts them)", notes);
            }
            notes.add(what + ": accepted as a live file");
        }
        return null;
    }

    /** A line whose {@code prev} is not the hash of the line before it: find out why with a second pass. */
    private VerificationResult brokenLink(List<Path> files, Position pos, AuditLine bad, String expected,
            ChainHasher hasher, List<String> notes) throws IOException {
        long j = pos.global;
        long a = bad.prev.equals(ChainHasher.GENESIS) ? 0 : -1; // line whose hash is bad.prev
        long b = -1; // another line that continues from the line before j
        long c = -1; // another line with the same hash as j (a copy)
        try (Lines lines = new Lines(files)) {
            long i = 0;
            while (lines.next()) {
                i++;
                if (pos.starts[lines.fileIndex] < 0) {
                    pos.starts[lines.fileIndex] = i;
                }
                if (i == j) {
                    continue;
                }
                AuditLine l = AuditLine.parse(lines.bytes, lines.length);
                if (l == null) {
                    continue;
                }
                if (a < 0 && l.hash.equals(bad.prev)) {
                    a = i;
                }
                if (b < 0 && l.prev.equals(expected)) {
                    b = i;
                }
                if (c < 0 && l.hash.equals(bad.hash)) {
                    c = i;
                }
            }
        }
        if (c >= 0) {
            return problem(pos, Problem.INSERTED, "line " + pos.line + " is a copy of " + pos.describe(c)
                    + " (inserted)", hasher, notes);
        }
        if (a > j) {
            return problem(pos, Problem.REORDERED, "line " + pos.line + " is out of order: it continues from "
                    + pos.describe(a) + ", which comes after it", hasher, notes);
        }
        if (a >= 0 && a < j - 1) {
            Position first = pos.copyAt(a + 1);
            return problem(first, Problem.INSERTED, "line " + first.line + " was inserted: " + pos.describe(j)
                    + " continues from " + (a == 0 ? "the start of the chain" : pos.describe(a)), hasher, notes);
        }
        if (b > j) {
            return problem(pos, Problem.REORDERED, "line " + pos.line + " is out of place: " + pos.describe(b)
                    + " is the one that continues from the line before it", hasher, notes);
        }
        return problem(pos, Problem.DELETED, "a record is missing before line " + pos.line + " (deleted): line "
                + pos.line + " continues from a record that is not in the " + (files.size() == 1 ? "file" : "set"),
                hasher, notes);
    }

    private static VerificationResult problem(Position pos, Problem problem, String message, ChainHasher hasher,
            List<String> notes) {
        return new VerificationResult(pos.global, pos.files, hasher.algorithm(), problem, pos.file(), pos.line,
                message, notes);
    }

    /** Where a line is: its index in the whole set and its file and line within the file. */
    private static final class Position {
        final List<Path> files;
        final long[] starts; // global index of each file's first line, filled as the pass goes
        long global;
        int fileIndex;
        long line;
        long linesInLastFile;

        Position(List<Path> files) {
            this.files = files;
            this.starts = new long[files.size()];
            Arrays.fill(starts, -1);
        }

        void at(int file, long lineInFile) {
            global++;
            fileIndex = file;
            line = lineInFile;
            if (starts[file] < 0) {
                starts[file] = global;
            }
        }

        void end(int file, long lineInFile) {
            linesInLastFile = file == files.size() - 1 ? lineInFile : 0;
        }

        Path file() {
            return files.get(fileIndex);
        }

        /** @return a position at a global index already passed */
        Position copyAt(long index) {
            Position p = new Position(files);
            System.arraycopy(starts, 0, p.starts, 0, starts.length);
            p.global = index;
            for (int f = 0; f < starts.length; f++) {
                if (starts[f] >= 0 && starts[f] <= index) {
                    p.fileIndex = f;
                    p.line = index - starts[f] + 1;
                }
            }
            return p;
        }

        String describe(long index) {
            if (index == 0) {
                return "the start of the chain";
            }
            Position p = copyAt(index);
            return p.fileIndex == fileIndex ? "line " + p.line : p.file().getFileName() + " line " + p.line;
        }
    }

    /** Reads the lines of several files in order, one at a time, with one line of look-ahead on demand. */
    private static final class Lines implements AutoCloseable {
        private final List<Path> files;
        private InputStream in;
        private final byte[] chunk = new byte[1 << 16];
        private int chunkPos;
        private int chunkEnd;
        int fileIndex = -1;
        long lineNumber;
        byte[] bytes = new byte[4096];
        int length;
        boolean newline;
        private byte[] peeked = new byte[4096];
        private int peekedLength;
        private boolean peekedNewline;
        private boolean peekedGot;
        private boolean hasPeeked;

        Lines(List<Path> files) {
            this.files = files;
        }

        boolean next() throws IOException {
            if (hasPeeked) {
                hasPeeked = false;
                if (peekedGot) {
                    byte[] t = bytes;
                    bytes = peeked;
                    peeked = t;
                    length = peekedLength;
                    newline = peekedNewline;
                    lineNumber++;
                    return true;
                }
            }
            while (true) {
                if (in == null) {
                    if (fileIndex + 1 >= files.size()) {
                        return false;
                    }
                    fileIndex++;
                    lineNumber = 0;
                    in = Files.newInputStream(files.get(fileIndex));
                    chunkPos = chunkEnd = 0;
                }
                if (readLine()) {
                    lineNumber++;
                    return true;
                }
                in.close();
                in = null;
            }
        }

        /** @return the parsed line after the current one in the same file, or null */
        AuditLine peekNext() throws IOException {
            if (in == null || hasPeeked) {
                return hasPeeked && peekedGot ? AuditLine.parse(peeked, peekedLength) : null;
            }
            byte[] keep = bytes;
            int keepLength = length;
            boolean keepNewline = newline;
            bytes = peeked;
            peekedGot = readLine();
            peeked = bytes;
            peekedLength = length;
            peekedNewline = newline;
            hasPeeked = true;
            bytes = keep;
            length = keepLength;
            newline = keepNewline;
            return peekedGot ? AuditLine.parse(peeked, peekedLength) : null;
        }

        private boolean readLine() throws IOException {
            length = 0;
            while (true) {
                if (chunkPos == chunkEnd) {
                    int n = in.read(chunk);
                    if (n <= 0) {
                        newline = false;
                        return length > 0;
                    }
                    chunkPos = 0;
                    chunkEnd = n;
                }
                int start = chunkPos;
                int i = start;
                while (i < chunkEnd && chunk[i] != '\n') {
                    i++;
                }
                int n = i - start;
                if (length + n > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
                }
                System.arraycopy(chunk, start, bytes, length, n);
                length += n;
                if (i < chunkEnd) {
                    chunkPos = i + 1;
                    newline = true;
                    return true;
                }
                chunkPos = chunkEnd;
            }
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ main

    /**
     * Verifies from the command line; prints the result and exits 0 (intact), 1 (problem) or 2 (usage, I/O).
     *
     * @param args {@code [--key-env NAME] [--expect HASH@COUNT]... [--partial] [--live] [--allow-missing-head]
     *     FILE [FILE...]}
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err, System::getenv);
        System.exit(status);
    }

    /**
     * The command line without {@code System.exit}.
     *
     * @param args the arguments
     * @param out where the result goes
     * @param err where usage errors go
     * @param environment where {@code --key-env} is looked up
     * @return the exit status
     */
    static int run(String[] args, PrintStream out, PrintStream err, java.util.function.Function<String, String> environment) {
        Builder b = builder();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--key-env":
                    if (i + 1 >= args.length) {
                        return usage(err, "--key-env needs the name of an environment variable");
                    }
                    String name = args[++i];
                    String value = environment.apply(name);
                    if (value == null || value.isEmpty()) {
                        return usage(err, "environment variable " + name + " is not set");
                    }
                    b.key(value.getBytes(StandardCharsets.UTF_8));
                    break;
                case "--partial":
                    b.allowMissingStart(true);
                    break;
                case "--live":
                    b.allowUnsealedTail(true);
                    break;
                case "--allow-missing-head":
                    b.allowMissingHead(true);
                    break;
                case "--expect":
                    if (i + 1 >= args.length) {
                        return usage(err, "--expect needs a checkpoint HASH@COUNT from the decision log");
                    }
                    try {
                        b.expect(args[++i]);
                    } catch (IllegalArgumentException e) {
                        return usage(err, e.getMessage());
                    }
                    break;
                case "-h":
                case "--help":
                    usage(out, null);
                    return 0;
                default:
                    if (a.startsWith("-")) {
                        return usage(err, "unknown option " + a);
                    }
                    files.add(Path.of(a));
            }
        }
        if (files.isEmpty()) {
            return usage(err, "name an audit file");
        }
        try {
            AuditVerifier v = b.build();
            VerificationResult r = files.size() == 1 ? v.verify(files.get(0)) : v.verifyFiles(files);
            out.println(r);
            return r.ok() ? 0 : 1;
        } catch (UncheckedIOException e) {
            err.println("cannot read: " + e.getCause().getMessage());
            return 2;
        }
    }

    private static int usage(PrintStream to, String problem) {
        if (problem != null) {
            to.println("error: " + problem);
        }
        to.println("usage: AuditVerifier [--key-env NAME] [--expect HASH@COUNT]... [--partial] [--live]"
                + " [--allow-missing-head] FILE [FILE...]");
        to.println("  one FILE      verify the set of that audit file: its rotated files, itself and its head");
        to.println("  FILE FILE...  verify exactly these files, in this order, as one chain (no head)");
        to.println("  --key-env N   the HMAC key the file was written with is in environment variable N");
        to.println("  --partial     accept a set whose oldest records were deleted (rotation retention)");
        to.println("  --live        accept lines past the head (a file a running writer is appending to)");
        to.println("  --expect H@N  a checkpoint from the decision log (rule audit.checkpoint): the chain must hold");
        to.println("                record N with hash H; finds an end cut off together with its head");
        to.println("  --allow-missing-head  accept a set without its head file (its end is then not sealed)");
        to.println("exit status: 0 intact, 1 findings (tampering, a missing head or checkpoint), 2 bad usage or"
                + " unreadable files");
        return 2;
    }

    /** Builds an {@link AuditVerifier}. */
    public static final class Builder {
        private byte[] key;
        private boolean allowMissingStart;
        private boolean allowUnsealedTail;
        private boolean allowMissingHead;
        private final List<Checkpoint> expected = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param allow accept a set without its head file; its end is then unsealed, and only an expected
         *     checkpoint finds lines removed from it
         * @return this
         */
        public Builder allowMissingHead(boolean allow) {
            this.allowMissingHead = allow;
            return this;
        }

        /**
         * Requires the chain to hold a record that a checkpoint of the decision log names (rule
         * {@value AuditSink#RULE_CHECKPOINT}, key-value {@code checkpoint}): record number {@code COUNT} from the
         * genesis with hash {@code HASH}, or, for a partial set, a record with that hash.
         *
         * @param checkpoint {@code HASH@COUNT}, 64 hex digits, then the record count
         * @return this
         * @throws IllegalArgumentException if it is not of that form
         */
        public Builder expect(String checkpoint) {
            int at = checkpoint == null ? -1 : checkpoint.indexOf('@');
            byte[] hex = at == 64 ? checkpoint.substring(0, 64).getBytes(StandardCharsets.US_ASCII) : new byte[0];
            long records = -1;
            try {
                records = at == 64 ? Long.parseLong(checkpoint.substring(65)) : -1;
            } catch (NumberFormatException e) {
                records = -1;
            }
            if (!ChainHasher.isHex64(hex, 0) || records < 1) {
                throw new IllegalArgumentException("a checkpoint is HASH@COUNT: 64 lower-case hex digits, @, and the"
                        + " record count (at least 1)");
            }
            expected.add(new Checkpoint(checkpoint.substring(0, 64), records));
            return this;
        }

        /** @param key the HMAC key the file was written with (UTF-8 bytes of the variable's value) @return this */
        public Builder key(byte[] key) {
            this.key = key == null ? null : key.clone();
            return this;
        }

        /** @param allow accept a first line that does not follow the genesis hash @return this */
        public Builder allowMissingStart(boolean allow) {
            this.allowMissingStart = allow;
            return this;
        }

        /** @param allow accept lines after those the head seals (a live or crashed writer) @return this */
        public Builder allowUnsealedTail(boolean allow) {
            this.allowUnsealedTail = allow;
            return this;
        }

        /** @return the verifier */
        public AuditVerifier build() {
            return new AuditVerifier(this);
        }
    }
}
