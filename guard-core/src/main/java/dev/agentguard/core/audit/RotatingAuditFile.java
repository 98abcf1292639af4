package dev.agentguard.core.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit set on disk, as one writer sees it: the active file (buffered, flushed on demand), its rotation by
 * day and size, its head file, and where the chain stands (last hash, lines in the active file, records since
 * the genesis), both as buffered and as committed (flushed to the operating system). A write that fails rolls
 * the position back to what was committed and marks the file broken until {@link #reopen} succeeds; the records
 * lost with the buffer go to the {@link LossAccounting}. Only the writer thread touches it.
 */
final class RotatingAuditFile {

    private static final Logger SELF = LoggerFactory.getLogger(AuditSink.class);
    private static final int BUFFER_BYTES = 256 * 1024;

    private final AuditConfig config;
    private final Path file;
    private final Clock clock;
    private final AuditStorage storage;
    private final ChainHasher hasher;
    private final LossAccounting losses;
    private final java.util.function.Function<Throwable, String> describe;

    private SeekableByteChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private long fileBytes;
    private long committedBytes;
    private long fileLines;
    private long committedLines;
    private long records;
    private long committedRecords;
    private String lastHash;
    private String committedHash;
    private long pendingRecords;
    private long pendingNoticed;
    private LocalDate fileDay;
    private boolean broken;
    private volatile boolean brokenFlag;
    private Instant brokenSince;
    private long lastAttemptMillis;
    private long lastFlushMillis;
    private long lastHeadMillis;
    private String headHash;
    private long headLines = -1;
    private boolean headFailing;
    private FileLock lock;
    private long checkpointRecords;
    private long lastCheckpointMillis;

    RotatingAuditFile(AuditConfig config, Clock clock, AuditStorage storage, ChainHasher hasher, LossAccounting losses,
            java.util.function.Function<Throwable, String> describe) throws IOException {
        this.config = config;
        this.file = config.file();
        this.clock = clock;
        this.storage = storage;
        this.hasher = hasher;
        this.losses = losses;
        this.describe = describe;
        lock();
        try {
            resume();
        } catch (IOException | RuntimeException e) {
            unlock();
            throw e;
        }
        writeHead(); // a new or resumed file is sealed from the start: a missing head is then always a finding
    }

    Path file() {
        return file;
    }

    String lastHash() {
        return lastHash;
    }

    boolean isBroken() {
        return broken;
    }

    /** @return whether the file is broken, as other threads may read it */
    boolean isBrokenNow() {
        return brokenFlag;
    }

    Instant takeBrokenSince() {
        Instant since = brokenSince;
        brokenSince = null;
        return since;
    }

    /** @return records in the chain since its genesis, as committed */
    long committedRecords() {
        return committedRecords;
    }

    String committedHash() {
        return committedHash;
    }

    long millisSinceFlush() {
        return clock.millis() - lastFlushMillis;
    }

    long millisSinceHead() {
        return clock.millis() - lastHeadMillis;
    }

    /**
     * Buffers a chained line, rotating first if it is due.
     *
     * @param line the line's bytes, newline included
     * @param length how many bytes of {@code line}
     * @param hash the line's hash
     * @param decisions decision records the line stands for (1, or 0 for a loss notice)
     * @param noticed losses a notice reports (0 for a decision)
     * @return false if the file is broken (the line is not buffered)
     */
    boolean append(byte[] line, int length, String hash, long decisions, long noticed) {
        if (fileLines > 0 && (dayChanged() || (config.rotateAtBytes() > 0
                && fileBytes + length > config.rotateAtBytes()))) {
            rotate();
            if (broken) {
                return false;
            }
        }
        if (buffer.remaining() < length && !flush()) {
            return false;
        }
        if (length > buffer.capacity()) {
            if (!writeFully(ByteBuffer.wrap(line, 0, length))) {
                return false;
            }
        } else {
            buffer.put(line, 0, length);
        }
        fileBytes += length;
        fileLines++;
        records++;
        lastHash = hash;
        pendingRecords += decisions;
        pendingNoticed += noticed;
        return true;
    }

    private boolean dayChanged() {
        return config.rotateDaily() && !LocalDate.ofInstant(clock.instant(), config.zone()).equals(fileDay);
    }

    /** Writes the buffer to the operating system and commits the position. @return false if broken */
    boolean flush() {
        if (channel == null) {
            return false;
        }
        if (buffer.position() > 0) {
            buffer.flip();
            boolean ok = writeFully(buffer);
            buffer.clear();
            if (!ok) {
                return false;
            }
        }
        committedBytes = fileBytes;
        committedLines = fileLines;
        committedHash = lastHash;
        committedRecords = records;
        losses.written(pendingRecords);
        pendingRecords = 0;
        pendingNoticed = 0;
        lastFlushMillis = clock.millis();
        return true;
    }

    private boolean writeFully(ByteBuffer bytes) {
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            return true;
        } catch (IOException | RuntimeException | Error e) { // whatever a write throws, the writer goes on
            fail(e);
            return false;
        }
    }

    /** The file could not be written: what was buffered since the last flush is lost; the chain goes back. */
    private void fail(Throwable e) {
        buffer.clear();
        String error = describe.apply(e);
        losses.lostBuffered(pendingRecords, pendingNoticed, "the audit file could not be written (" + error + ")");
        pendingRecords = 0;
        pendingNoticed = 0;
        fileBytes = committedBytes;
        fileLines = committedLines;
        records = committedRecords;
        lastHash = committedHash;
        closeChannel();
        lastAttemptMillis = clock.millis();
        if (!broken) {
            broken = true;
            brokenFlag = true;
            brokenSince = clock.instant();
            LossAccounting.warn(DecisionRecord.notice(brokenSince, "warn", AuditSink.RULE_LOSS, "cannot write audit"
                    + " file " + file + " (" + error + "); decision records are counted lost until it can be written"
                    + " again", null));
        }
    }

    /**
     * Reopens a broken file (at most every {@code retryEvery} unless forced), cutting off whatever the failed
     * write left after the last good line.
     *
     * @return true if the file can be written again
     */
    boolean reopen(boolean force) {
        long now = clock.millis();
        if (!force && now - lastAttemptMillis < config.retryEvery().toMillis()) {
            return false;
        }
        lastAttemptMillis = now;
        try {
            SeekableByteChannel c = storage.open(file);
            try {
                long size = c.size();
                if (size > committedBytes) {
                    c.truncate(committedBytes);
                } else if (size < committedBytes) {
                    SELF.warn("audit file {} shrank from {} to {} bytes while it could not be written", file,
                            committedBytes, size);
                    committedBytes = size;
                    fileBytes = size;
                }
                c.position(committedBytes);
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
            channel = c;
        } catch (IOException | RuntimeException | Error e) {
            losses.cause("the audit file could not be written (" + describe.apply(e) + ")");
            return false;
        }
        broken = false;
        brokenFlag = false;
        return true;
    }

    private void rotate() {
        if (!flush()) {
            return;
        }
        checkpoint("rotation");
        closeChannel();
        try {
            int next = 1;
            for (AuditFiles.Rotated r : AuditFiles.rotated(file)) {
                if (r.day.equals(fileDay)) {
                    next = Math.max(next, r.index + 1);
                }
            }
            Path target = AuditFiles.rotatedName(file, fileDay, next);
            try {
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(file, target);
            }
        } catch (IOException | RuntimeException | Error e) {
            fail(e); // not moved: the file goes on once it can be reopened, and rotates then
            return;
        }
        // moved: whatever happens next, the active file starts afresh (the chain goes on from lastHash)
        fileBytes = committedBytes = 0;
        fileLines = committedLines = 0;
        fileDay = LocalDate.ofInstant(clock.instant(), config.zone());
        try {
            channel = storage.open(file);
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
            return;
        }
        writeHead();
    }

    void close() {
        closeChannel();
        unlock();
    }

    /**
     * Takes the set's lock file ({@code <file>.lock}) so that no other sink, in this JVM or another, appends to
     * the same chain: two writers would each continue the chain from their own last hash and break it.
     */
    private void lock() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel c = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = c.tryLock();
        } catch (OverlappingFileLockException e) {
            c.close();
            throw new IllegalStateException("audit file " + file + " is already open by another audit sink in this"
                    + " JVM (two guards cannot append to one audit file: give each its own file)");
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        if (lock == null) {
            c.close();
            throw new IllegalStateException("audit file " + file + " is locked by another process (" + lockFile
                    + "); two writers cannot append to one audit file: give each its own file");
        }
    }

    private void unlock() {
        if (lock != null) {
            try {
                lock.release();
                lock.channel().close();
            } catch (IOException e) {
                SELF.debug("releasing the lock of {} failed", file, e);
            }
            lock = null;
        }
    }

    /** Logs a checkpoint if {@code checkpointEveryRecords} records or {@code checkpointEvery} passed since the last. */
    void checkpointIfDue() {
        long since = committedRecords - checkpointRecords;
        if (since >= config.checkpointEveryRecords()
                || (since > 0 && clock.millis() - lastCheckpointMillis >= config.checkpointEvery().toMillis())) {
            checkpoint("interval");
        }
    }

    /**
     * Logs where the committed chain stands on the decision logger: its record count since the genesis and its
     * last hash (an HMAC when the chain is keyed). Shipped with the logs to a place the file's writer cannot
     * reach, a checkpoint anchors the file: a verifier given it ({@code --expect HASH@COUNT}) finds a cut end
     * even when the head was removed or rolled back with it.
     */
    void checkpoint(String why) {
        lastCheckpointMillis = clock.millis();
        if (committedRecords == checkpointRecords && !"close".equals(why)) {
            return;
        }
        checkpointRecords = committedRecords;
        String anchor = committedHash + "@" + committedRecords;
        LossAccounting.LOG.atInfo().setMessage("AUDIT CHECKPOINT rule=" + AuditSink.RULE_CHECKPOINT + ": "
                + file.getFileName() + " chain holds " + committedRecords + " records, the last hash "
                + committedHash + " (" + why + "; verify with --expect " + anchor + ")")
                .addKeyValue("rule", AuditSink.RULE_CHECKPOINT).addKeyValue("file", file.getFileName().toString())
                .addKeyValue("records", committedRecords).addKeyValue("hash", committedHash)
                .addKeyValue("alg", hasher.algorithm()).addKeyValue("checkpoint", anchor).log();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                SELF.debug("closing {} failed", file, e);
            }
            channel = null;
        }
    }

    /** Rewrites the head: the active file's committed line count and the chain's last hash, sealed. */
    void writeHead() {
        lastHeadMillis = clock.millis();
        if (committedLines == headLines && committedHash.equals(headHash)) {
            return;
        }
        Path head = AuditFiles.head(file);
        Path tmp = head.resolveSibling(head.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, AuditHead.text(file.getFileName().toString(), committedLines, committedHash,
                    committedRecords, hasher));
            try {
                Files.move(tmp, head, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, head, StandardCopyOption.REPLACE_EXISTING);
            }
            headLines = committedLines;
            headHash = committedHash;
            headFailing = false;
        } catch (IOException | RuntimeException | Error e) {
            if (!headFailing) {
                headFailing = true;
                LossAccounting.LOG.atWarn().setMessage("cannot write audit head file {} ({}); the end of the chain"
                        + " is not sealed").addArgument(head).addArgument(describe.apply(e))
                        .addKeyValue("rule", AuditSink.RULE_LOSS).log();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- resume

    /** Picks the chain up where a previous run left it, and opens the active file at its end. */
    private void resume() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        lastHash = ChainHasher.GENESIS;
        fileDay = LocalDate.ofInstant(clock.instant(), config.zone());
        List<AuditFiles.Rotated> rotated = AuditFiles.rotated(file);
        String problem = AuditFiles.notAnAuditFile(file);
        if (problem != null) {
            throw new IllegalStateException("audit.file " + file + " " + problem);
        }
        if (Files.exists(file) && Files.size(file) > 0) {
            AuditFiles.Tail tail = AuditFiles.tail(file);
            if (tail.size > tail.completeBytes) {
                SELF.warn("audit file {} ends with {} bytes of an unfinished line (a crash?); cutting them off",
                        file, tail.size - tail.completeBytes);
                try (SeekableByteChannel c = storage.open(file)) {
                    c.truncate(tail.completeBytes);
                }
            }
            if (tail.lastLine != null) {
                AuditLine last = AuditLine.parse(tail.lastLine, tail.lastLine.length);
                if (last == null) {
                    throw new IllegalStateException("audit file " + file + " does not end with a chained audit"
                            + " record; verify it (AuditVerifier) and move it away before appending to it");
                }
                lastHash = last.hash;
                fileLines = tail.lines;
                fileBytes = tail.completeBytes;
                LocalDate day = tail.firstDay(config.zone());
                if (day != null) {
                    fileDay = day;
                }
            }
        } else if (!rotated.isEmpty()) {
            AuditFiles.Tail tail = AuditFiles.tail(rotated.get(rotated.size() - 1).path);
            AuditLine last = tail.lastLine == null ? null : AuditLine.parse(tail.lastLine, tail.lastLine.length);
            if (last != null) {
                lastHash = last.hash;
            }
        }
        records = chainRecords(rotated);
        committedBytes = fileBytes;
        committedLines = fileLines;
        committedHash = lastHash;
        committedRecords = records;
        checkpointRecords = records;
        channel = storage.open(file);
        channel.position(fileBytes);
        lastFlushMillis = clock.millis();
        lastCheckpointMillis = lastFlushMillis;
    }

    /** Records in the chain so far: the head says, when it seals this very state; else the files are counted. */
    private long chainRecords(List<AuditFiles.Rotated> rotated) throws IOException {
        Path headFile = AuditFiles.head(file);
        AuditHead head = Files.exists(headFile) ? AuditHead.read(headFile) : null;
        if (head != null && head.records >= 0 && head.lines == fileLines && head.hash.equals(lastHash)
                && head.file.equals(file.getFileName().toString()) && head.sealedWith(hasher)) {
            return head.records;
        }
        long n = fileLines;
        for (AuditFiles.Rotated r : rotated) {
            n += AuditFiles.tail(r.path).lines;
        }
        return n;
    }
}
