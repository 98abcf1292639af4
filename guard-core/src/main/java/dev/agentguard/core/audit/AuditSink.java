package dev.agentguard.core.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.log.DecisionLog;
import dev.agentguard.core.redact.Redactor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The JSONL audit file: one JSON object per line per decision, with the fields of {@link DecisionRecord} plus
 * {@code prev} and {@code hash}, a SHA-256 chain (HMAC-SHA256 with a key) that {@link AuditVerifier} checks.
 *
 * <p><b>Threads.</b> {@link #onDecision} only puts the event on a bounded queue: no I/O, no redaction, no
 * formatting on the caller's thread. One writer thread maps each event to its record (redacting it), writes the
 * line and keeps the chain. When the queue is full the caller waits up to {@code maxBlock}; if the queue is still
 * full then, the record is counted lost (never dropped silently, see below).
 *
 * <p><b>Durability.</b> Lines are buffered and flushed to the operating system every {@code flushEvery} (or
 * after every record when it is zero), whenever the writer runs out of work, on {@link #flush()} and on
 * {@link #close()}. {@code close()} drains the queue; so does a JVM shutdown hook. The file is rotated by day
 * and/or size: the active file is renamed {@code <name>.<day>.<n>.<ext>} and a new one started; the chain goes on
 * across rotations and restarts (a restarted sink reads the last hash back, and cuts off a half-written last line
 * a crash may have left). A head file ({@code <file>.head}) records how many lines the active file has and the
 * last hash, sealed with the chain's hash, so that lines removed from the end are detected too; it is rewritten
 * when the writer is idle, at most every second under load, on rotation and on close.
 *
 * <p><b>Failures never reach the guard.</b> When the file cannot be written (a full disk), the records buffered
 * since the last successful flush and every record taken while the file stays broken are counted as lost
 * ({@link #lostRecords()}), a WARN with rule {@code audit.loss} goes to the {@value DecisionLog#LOGGER_NAME}
 * logger, and the file is reopened every {@code retryEvery}; once it can be written again, a record with action
 * {@code warn}, rule {@code audit.loss} and the number lost ({@code observed}) is written first, so that the file
 * itself says where the gap is. Partial lines left by the failed write are cut off, so the chain stays valid.
 * Records that waited longer than {@code maxBlock} on a full queue are reported the same way.
 *
 * <p>A guard closes this sink when it is closed ({@code Guard.close()}); decisions that arrive after
 * {@code close()} are counted lost.
 */
public final class AuditSink implements DecisionListener, AutoCloseable {

    /** Rule id of the records and warnings about lost records. */
    public static final String RULE_LOSS = "audit.loss";

    private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.LOGGER_NAME);
    private static final Logger SELF = LoggerFactory.getLogger(AuditSink.class);
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT) // we close the object ourselves, after the hash
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();
    private static final Object CLOSE = new Object();
    private static final int BATCH = 512;
    private static final int BUFFER_BYTES = 256 * 1024;
    private static final long HEAD_EVERY_MILLIS = 1_000;
    private static final byte[] HASH_FIELD = AuditLine.HASH_FIELD;
    private static final byte[] LINE_END = "\"}\n".getBytes(StandardCharsets.US_ASCII);

    private final AuditConfig config;
    private final Path file;
    private final Clock clock;
    private final AuditStorage storage;
    private final Redactor redactor;
    private final ChainHasher hasher;
    private final BlockingQueue<Object> queue;
    private final Thread writer;
    private final Thread hook;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong unreported = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicBoolean warnedAfterClose = new AtomicBoolean();
    private volatile String lossCause = "";
    private volatile boolean brokenFlag;

    // the writer thread's state ------------------------------------------------------------------------------
    private SeekableByteChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private final LineBytes line = new LineBytes();
    private long fileBytes;
    private long committedBytes;
    private long fileLines;
    private long committedLines;
    private String lastHash;
    private String committedHash;
    private long pendingRecords;
    private long pendingNoticed;
    private LocalDate fileDay;
    private boolean broken;
    private Instant brokenSince;
    private long lastAttemptMillis;
    private long lastFlushMillis;
    private long lastHeadMillis;
    private String headHash;
    private long headLines = -1;
    private boolean headFailing;

    private AuditSink(Builder b) throws IOException {
        this.config = b.config;
        this.file = config.file();
        this.clock = b.clock;
        this.storage = b.storage;
        this.redactor = config.redactor();
        this.hasher = ChainHasher.of(key(config.hmacKeyEnv(), b.environment));
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        resume();
        this.writer = new Thread(this::run, "agentguard-audit-writer");
        this.writer.setDaemon(true);
        this.hook = config.shutdownHook() ? new Thread(this::close, "agentguard-audit-shutdown") : null;
        this.writer.start();
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    /**
     * Opens the audit file with the system UTC clock and the process environment.
     *
     * @param config the configuration
     * @return the running sink; register it on a guard ({@code Guard.Builder.listener})
     * @throws IllegalStateException if the file cannot be opened, does not end with a chained record, or the
     *     HMAC key variable is missing or too short
     */
    public static AuditSink open(AuditConfig config) {
        return builder(config).build();
    }

    /**
     * @param config the configuration
     * @return a builder for the sink's runtime collaborators (clock, environment)
     */
    public static Builder builder(AuditConfig config) {
        return new Builder(config);
    }

    private static byte[] key(String variable, Function<String, String> environment) {
        if (variable == null) {
            return null;
        }
        String value = environment.apply(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("audit.hmacKeyEnv: environment variable " + variable + " is not set");
        }
        byte[] key = value.getBytes(StandardCharsets.UTF_8);
        if (key.length < AuditConfig.MIN_KEY_BYTES) {
            throw new IllegalStateException("audit.hmacKeyEnv: environment variable " + variable + " holds a key of "
                    + key.length + " bytes; at least " + AuditConfig.MIN_KEY_BYTES + " are needed");
        }
        return key;
    }

    // ---------------------------------------------------------------------------------------------- callers

    /** Queues the decision for the writer; waits at most {@code maxBlock} when the queue is full. */
    @Override
    public void onDecision(DecisionEvent event) {
        if (closed.get()) {
            lose("the audit sink was closed");
            if (warnedAfterClose.compareAndSet(false, true)) {
                LOG.warn("decision #{} arrived after the audit sink of {} was closed; it is counted lost",
                        event.seq(), file);
            }
            return;
        }
        if (!writer.isAlive()) {
            lose("the audit writer stopped"); // it logged why; nobody would drain the queue
            return;
        }
        try {
            if (!queue.offer(event) && !queue.offer(event, config.maxBlock().toNanos(), TimeUnit.NANOSECONDS)) {
                lose("the audit queue stayed full for more than " + config.maxBlock());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lose("a caller was interrupted while the audit queue was full");
        }
    }

    private void lose(String cause) {
        lossCause = cause;
        lost.incrementAndGet();
        unreported.incrementAndGet();
    }

    /**
     * Waits until every decision queued before this call is written and flushed to the operating system.
     *
     * @return true if that happened within {@code closeTimeout}; false if the sink is closed, broken or stuck
     */
    public boolean flush() {
        if (closed.get()) {
            return false;
        }
        CountDownLatch done = new CountDownLatch(1);
        long timeout = config.closeTimeout().toNanos();
        try {
            return queue.offer(done, timeout, TimeUnit.NANOSECONDS) && done.await(timeout, TimeUnit.NANOSECONDS)
                    && !isBroken();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean isBroken() {
        return brokenFlag;
    }

    /** @return how many decision records were lost (not written) since the sink was opened */
    public long lostRecords() {
        return lost.get();
    }

    /** @return how many decision records were written and flushed to the operating system */
    public long writtenRecords() {
        return written.get();
    }

    /** @return the active audit file */
    public Path file() {
        return file;
    }

    /** @return the configuration */
    public AuditConfig config() {
        return config;
    }

    /**
     * Drains the queue, flushes, seals the head and closes the file; waits at most {@code closeTimeout}.
     * Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it finds the sink closed
            }
        }
        long timeout = config.closeTimeout().toMillis();
        try {
            if (writer.isAlive() && queue.offer(CLOSE, timeout, TimeUnit.MILLISECONDS)) {
                writer.join(timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.atWarn().setMessage("audit writer of {} did not finish within {}; {} queued records may be lost")
                    .addArgument(file).addArgument(config.closeTimeout()).addArgument(queue.size())
                    .addKeyValue("rule", RULE_LOSS).log();
        } else {
            Object left;
            while ((left = queue.poll()) != null) { // raced in after the writer's last drain
                if (left instanceof DecisionEvent) {
                    lose("the audit sink was closed");
                } else if (left instanceof CountDownLatch) {
                    ((CountDownLatch) left).countDown();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "AuditSink{" + file + ", " + hasher.algorithm() + ", written=" + written.get() + ", lost=" + lost.get()
                + '}';
    }

    // ---------------------------------------------------------------------------------------------- writer

    private void run() {
        try {
            drain();
        } catch (RuntimeException | Error e) {
            lossCause = "the audit writer stopped (" + e.getClass().getName() + ")";
            SELF.error("audit writer of {} stopped; every later decision record is counted lost", file, e);
            closeChannel();
        }
    }

    private void drain() {
        List<Object> batch = new ArrayList<>(BATCH);
        long idleWait = config.flushEvery().isZero() ? 1_000 : Math.max(1, config.flushEvery().toMillis());
        boolean closing = false;
        while (!closing) {
            Object first;
            try {
                first = queue.poll(idleWait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // only close() ends the writer, through the queue
            }
            if (first == null) {
                idle();
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
            closing = handle(batch);
            if (!closing) {
                afterBatch();
            }
        }
        // close: nobody adds any more (bar a race close() mops up); write what is left
        while (!queue.isEmpty()) {
            queue.drainTo(batch, BATCH);
            handle(batch);
        }
        finish();
    }

    /** @return true if the batch held the close signal */
    private boolean handle(List<Object> batch) {
        boolean closing = false;
        for (Object o : batch) {
            try {
                if (o == CLOSE) {
                    closing = true;
                } else if (o instanceof CountDownLatch) {
                    idle();
                    ((CountDownLatch) o).countDown();
                } else {
                    write((DecisionEvent) o);
                }
            } catch (RuntimeException e) {
                // a record that cannot be mapped (a bug): count it, keep the writer alive
                lose("a record could not be formatted (" + e.getClass().getName() + ")");
                SELF.warn("audit record could not be formatted; counted lost", e);
            }
        }
        batch.clear();
        return closing;
    }

    private void afterBatch() {
        if (broken) {
            return;
        }
        long now = clock.millis();
        if (!config.flushEvery().isZero() && now - lastFlushMillis >= config.flushEvery().toMillis()) {
            flushBuffer();
        }
        if (!broken && now - lastHeadMillis >= HEAD_EVERY_MILLIS) {
            flushBuffer();
            writeHead();
        }
        reportLosses();
    }

    /** Nothing to do: flush, seal the head, report losses; retry a broken file if losses wait to be reported. */
    private void idle() {
        if (broken && unreported.get() > 0) {
            reopen(false);
        }
        if (!broken) {
            reportLosses();
            if (flushBuffer()) {
                writeHead();
            }
        }
    }

    private void finish() {
        if (broken && unreported.get() > 0) {
            reopen(true);
        }
        if (!broken) {
            reportLosses();
            if (flushBuffer()) {
                writeHead();
            }
        }
        if (unreported.get() > 0) {
            warnLoss(DecisionRecord.notice(clock.instant(), "warn", RULE_LOSS, "audit file " + file + " closed with "
                    + unreported.get() + " decision records not written: " + lossCause,
                    Long.toString(unreported.get())));
        }
        closeChannel();
    }

    private void write(DecisionEvent event) {
        if (broken && !reopen(false)) {
            lose(lossCause);
            return;
        }
        DecisionRecord record = DecisionRecord.of(event, redactor);
        if (append(record)) {
            pendingRecords++;
            if (config.flushEvery().isZero()) {
                flushBuffer();
            }
        } else {
            lose(lossCause);
        }
    }

    /** Encodes the line with the chain, rotates if due, and buffers it. @return false if the file is broken */
    private boolean append(DecisionRecord record) {
        line.reset();
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            record.writeFields(g);
            g.writeStringField("prev", lastHash);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        String hash = hasher.hash(line.array(), 0, line.size());
        line.write(HASH_FIELD, 0, HASH_FIELD.length);
        line.writeAscii(hash);
        line.write(LINE_END, 0, LINE_END.length);
        int len = line.size();
        if (fileLines > 0 && (dayChanged() || (config.rotateAtBytes() > 0 && fileBytes + len > config.rotateAtBytes()))) {
            rotate();
            if (broken) {
                return false;
            }
        }
        if (buffer.remaining() < len && !flushBuffer()) {
            return false;
        }
        if (len > buffer.capacity()) {
            if (!writeFully(ByteBuffer.wrap(line.array(), 0, len))) {
                return false;
            }
        } else {
            buffer.put(line.array(), 0, len);
        }
        fileBytes += len;
        fileLines++;
        lastHash = hash;
        return true;
    }

    private boolean dayChanged() {
        return config.rotateDaily() && !LocalDate.ofInstant(clock.instant(), config.zone()).equals(fileDay);
    }

    private boolean flushBuffer() {
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
        written.addAndGet(pendingRecords);
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
        } catch (IOException | RuntimeException e) {
            fail(e);
            return false;
        }
    }

    /** The file could not be written: what was buffered since the last flush is lost; the chain goes back. */
    private void fail(Exception e) {
        buffer.clear();
        lost.addAndGet(pendingRecords);
        unreported.addAndGet(pendingRecords + pendingNoticed);
        pendingRecords = 0;
        pendingNoticed = 0;
        fileBytes = committedBytes;
        fileLines = committedLines;
        lastHash = committedHash;
        closeChannel();
        lastAttemptMillis = clock.millis();
        String error = describe(e);
        lossCause = "the audit file could not be written (" + error + ")";
        if (!broken) {
            broken = true;
            brokenFlag = true;
            brokenSince = clock.instant();
            warnLoss(DecisionRecord.notice(brokenSince, "warn", RULE_LOSS, "cannot write audit file " + file + " ("
                    + error + "); decision records are counted lost until it can be written again", null));
        }
    }

    private String describe(Exception e) {
        return redactor.redact(e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    /**
     * Reopens a broken file (at most every {@code retryEvery} unless forced), cutting off whatever the failed
     * write left after the last good line.
     */
    private boolean reopen(boolean force) {
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
        } catch (IOException | RuntimeException e) {
            lossCause = "the audit file could not be written (" + describe(e) + ")";
            return false;
        }
        broken = false;
        brokenFlag = false;
        reportLosses();
        return !broken;
    }

    /** Writes an {@code audit.loss} record (and a WARN) for the records lost since the last one. */
    private void reportLosses() {
        long n = unreported.getAndSet(0);
        if (n == 0) {
            return;
        }
        Instant now = clock.instant();
        String since = brokenSince == null ? "" : " since " + brokenSince;
        brokenSince = null;
        DecisionRecord notice = DecisionRecord.notice(now, "warn", RULE_LOSS, n + " decision record"
                + (n == 1 ? " was" : "s were") + " not written to this audit file" + since + ": " + lossCause,
                Long.toString(n));
        warnLoss(notice);
        if (append(notice)) {
            pendingNoticed += n;
            flushBuffer();
        } else {
            unreported.addAndGet(n);
        }
    }

    private static void warnLoss(DecisionRecord notice) {
        LoggingEventBuilder b = LOG.atWarn().setMessage("AUDIT LOSS rule=" + RULE_LOSS + ": " + notice.reason());
        notice.forEach(b::addKeyValue);
        b.log();
    }

    private void rotate() {
        if (!flushBuffer()) {
            return;
        }
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
        } catch (IOException | RuntimeException e) {
            fail(e); // not moved: the file goes on once it can be reopened, and rotates then
            return;
        }
        // moved: whatever happens next, the active file starts afresh (the chain goes on from lastHash)
        fileBytes = committedBytes = 0;
        fileLines = committedLines = 0;
        fileDay = LocalDate.ofInstant(clock.instant(), config.zone());
        try {
            channel = storage.open(file);
        } catch (IOException | RuntimeException e) {
            fail(e);
            return;
        }
        writeHead();
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
    private void writeHead() {
        lastHeadMillis = clock.millis();
        if (committedLines == headLines && committedHash.equals(headHash)) {
            return;
        }
        Path head = AuditFiles.head(file);
        Path tmp = head.resolveSibling(head.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, head(file.getFileName().toString(), committedLines, committedHash, hasher));
            try {
                Files.move(tmp, head, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, head, StandardCopyOption.REPLACE_EXISTING);
            }
            headLines = committedLines;
            headHash = committedHash;
            headFailing = false;
        } catch (IOException | RuntimeException e) {
            if (!headFailing) {
                headFailing = true;
                LOG.atWarn().setMessage("cannot write audit head file {} ({}); the end of the chain is not sealed")
                        .addArgument(head).addArgument(describe(e)).addKeyValue("rule", RULE_LOSS).log();
            }
        }
    }

    /** The head file's text; the seal is the chain's hash over file name, line count and last hash. */
    static String head(String fileName, long lines, String hash, ChainHasher hasher) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("file", fileName);
            g.writeNumberField("lines", lines);
            g.writeStringField("hash", hash);
            g.writeStringField("alg", hasher.algorithm());
            g.writeStringField("seal", hasher.hash(sealText(fileName, lines, hash)));
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w + "\n";
    }

    static String sealText(String fileName, long lines, String hash) {
        return "agentguard-audit-head\n" + fileName + '\n' + lines + '\n' + hash;
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
        } else {
            List<AuditFiles.Rotated> rotated = AuditFiles.rotated(file);
            if (!rotated.isEmpty()) {
                AuditFiles.Tail tail = AuditFiles.tail(rotated.get(rotated.size() - 1).path);
                AuditLine last = tail.lastLine == null ? null : AuditLine.parse(tail.lastLine, tail.lastLine.length);
                if (last != null) {
                    lastHash = last.hash;
                }
            }
        }
        committedBytes = fileBytes;
        committedLines = fileLines;
        committedHash = lastHash;
        channel = storage.open(file);
        channel.position(fileBytes);
        lastFlushMillis = clock.millis();
    }

    /** A growable byte buffer whose array is readable without copying. */
    private static final class LineBytes extends ByteArrayOutputStream {
        LineBytes() {
            super(1024);
        }

        byte[] array() {
            return buf;
        }

        void writeAscii(String s) {
            for (int i = 0; i < s.length(); i++) {
                write(s.charAt(i));
            }
        }
    }

    /** Builds an {@link AuditSink} from its configuration and runtime collaborators. */
    public static final class Builder {
        private final AuditConfig config;
        private Clock clock = Clock.systemUTC();
        private Function<String, String> environment = System::getenv;
        private AuditStorage storage = AuditStorage.FILES;

        private Builder(AuditConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** @param clock the wall clock for timestamps, flush intervals and rotation; default UTC system @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param environment where {@code hmacKeyEnv} is looked up; default the process environment @return this */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        Builder storage(AuditStorage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /**
         * Opens the file and starts the writer.
         *
         * @return the sink
         * @throws IllegalStateException if the file cannot be opened or continued, or the key is missing
         */
        public AuditSink build() {
            try {
                return new AuditSink(this);
            } catch (IOException e) {
                throw new IllegalStateException("cannot open audit file " + config.file() + ": " + e, e);
            }
        }
    }
}
