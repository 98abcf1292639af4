package dev.agentguard.core.audit;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.redact.Redactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * ({@link #lostRecords()}), a WARN with rule {@code audit.loss} goes to the {@value DecisionRecord#DECISION_LOGGER}
 * logger, and the file is reopened every {@code retryEvery}; once it can be written again, a record with action
 * {@code warn}, rule {@code audit.loss} and the number lost ({@code observed}) is written first, so that the file
 * itself says where the gap is. Partial lines left by the failed write are cut off, so the chain stays valid.
 * Records that waited longer than {@code maxBlock} on a full queue are reported the same way.
 *
 * <p><b>The writer never dies.</b> Whatever one record does while it is mapped, encoded or written (an exception,
 * a {@code StackOverflowError}, a disk driver's {@code Error}), that record is counted lost and an {@code audit.error}
 * record naming the failure takes its place in the file; the writer goes on with the next.
 *
 * <p><b>Checkpoints.</b> The head lives beside the file, so whoever can cut the file's end can remove or roll
 * back the head too. As CloudTrail's digest files do, the sink therefore anchors the chain outside the file: at
 * every rotation, at close, and every {@code checkpointEveryRecords} records or {@code checkpointEvery}, it logs
 * an INFO with rule {@value #RULE_CHECKPOINT} on the decision logger with the chain's record count and last hash
 * (an HMAC when the chain is keyed), e.g. {@code checkpoint=9e17…870@139}. Logs shipped elsewhere then hold what
 * {@link AuditVerifier} needs ({@code --expect HASH@COUNT}) to find a cut end.
 *
 * <p><b>Parts.</b> This class holds the queue and the writer thread; {@link ChainedLineEncoder} makes a record a
 * chained line, {@link RotatingAuditFile} writes lines, rotates and keeps the head, and {@link LossAccounting}
 * counts and reports what was not written.
 *
 * <p>A guard closes this sink when it is closed ({@code Guard.close()}); decisions that arrive after
 * {@code close()} are counted lost.
 */
public final class AuditSink implements DecisionListener, AutoCloseable {

    /** Rule id of the records and warnings about lost records. */
    public static final String RULE_LOSS = "audit.loss";
    /** Rule id of the checkpoints logged on the decision logger: the chain's record count and last hash. */
    public static final String RULE_CHECKPOINT = "audit.checkpoint";
    /** Rule id of the record written in place of one that could not be encoded or written, naming the failure. */
    public static final String RULE_ERROR = "audit.error";

    private static final Logger LOG = LossAccounting.LOG;
    private static final Logger SELF = LoggerFactory.getLogger(AuditSink.class);
    private static final Object CLOSE = new Object();
    private static final int BATCH = 512;
    private static final long HEAD_EVERY_MILLIS = 1_000;

    private final AuditConfig config;
    private final Path file;
    private final Clock clock;
    private final Redactor redactor;
    private final BiFunction<DecisionEvent, Redactor, DecisionRecord> records;
    private final BlockingQueue<Object> queue;
    private final Thread writer;
    private final Thread hook;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean warnedAfterClose = new AtomicBoolean();
    private final LossAccounting losses = new LossAccounting();

    // the writer thread's
    private final ChainedLineEncoder encoder;
    private final RotatingAuditFile out;

    private AuditSink(Builder b) throws IOException {
        this.config = b.config;
        this.file = config.file();
        this.clock = b.clock;
        this.redactor = config.redactor();
        this.records = b.records;
        ChainHasher hasher = ChainHasher.of(key(config.hmacKeyEnv(), b.environment));
        this.encoder = new ChainedLineEncoder(hasher);
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.out = new RotatingAuditFile(config, clock, b.storage, hasher, losses, this::describe);
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
     * @throws IllegalStateException if the file cannot be opened, is a directory or not an audit file (it is left
     *     as it was), is open by another sink (in this JVM or another: a lock file beside it says so), does not end
     *     with a chained record, or the HMAC key variable is missing or too short
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

    /**
     * Checks, without opening it, whether a path can be the audit file of a sink: absent, empty, or an audit file
     * (its first line a chained record). A policy loader calls this to report a bad {@code audit.file} where the
     * policy names it.
     *
     * @param file the audit file a configuration names
     * @return empty if a sink can append to it; otherwise why not, e.g. "is a directory; ..."
     */
    public static java.util.Optional<String> checkFile(Path file) {
        return java.util.Optional.ofNullable(AuditFiles.notAnAuditFile(file));
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
            losses.lose("the audit sink was closed");
            if (warnedAfterClose.compareAndSet(false, true)) {
                LOG.warn("decision #{} arrived after the audit sink of {} was closed; it is counted lost",
                        event.seq(), file);
            }
            return;
        }
        if (!writer.isAlive()) {
            losses.lose("the audit writer stopped"); // it logged why; nobody would drain the queue
            return;
        }
        try {
            if (!queue.offer(event) && !queue.offer(event, config.maxBlock().toNanos(), TimeUnit.NANOSECONDS)) {
                losses.lose("the audit queue stayed full for more than " + config.maxBlock());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            losses.lose("a caller was interrupted while the audit queue was full");
        }
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
                    && !out.isBrokenNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return how many decision records were lost (not written) since the sink was opened */
    public long lostRecords() {
        return losses.lost();
    }

    /** @return how many decision records were written and flushed to the operating system */
    public long writtenRecords() {
        return losses.written();
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
                    losses.lose("the audit sink was closed");
                } else if (left instanceof CountDownLatch) {
                    ((CountDownLatch) left).countDown();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "AuditSink{" + file + ", " + encoder.hasher().algorithm() + ", written=" + losses.written() + ", lost="
                + losses.lost() + '}';
    }

    // ---------------------------------------------------------------------------------------------- writer

    private void run() {
        try {
            drain();
        } catch (RuntimeException | Error e) {
            losses.cause("the audit writer stopped (" + e.getClass().getName() + ")");
            SELF.error("audit writer of {} stopped; every later decision record is counted lost", file, e);
            out.close();
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
                survive(this::idle);
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
            closing = handle(batch);
            if (!closing) {
                survive(this::afterBatch);
            }
        }
        // close: nobody adds any more (bar a race close() mops up); write what is left
        while (!queue.isEmpty()) {
            queue.drainTo(batch, BATCH);
            handle(batch);
        }
        survive(this::finish);
    }

    /** Runs housekeeping (flush, head, loss reports) so that nothing it throws ends the writer. */
    private void survive(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            SELF.error("audit writer of {}: {} failed; the writer goes on", file, describe(e), e);
        }
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
                } else {
                    write((DecisionEvent) o);
                }
            } catch (RuntimeException | Error e) {
                // whatever one record does (a bug, a stack overflow, a failing disk driver): it is lost and
                // the file says so; the writer goes on with the next
                failed(o, e);
            } finally {
                if (o instanceof CountDownLatch) {
                    ((CountDownLatch) o).countDown();
                }
            }
        }
        batch.clear();
        return closing;
    }

    private void afterBatch() {
        if (out.isBroken()) {
            return;
        }
        if (!config.flushEvery().isZero() && out.millisSinceFlush() >= config.flushEvery().toMillis()) {
            out.flush();
        }
        if (!out.isBroken() && out.millisSinceHead() >= HEAD_EVERY_MILLIS) {
            if (out.flush()) {
                out.writeHead();
            }
        }
        reportLosses();
        out.checkpointIfDue();
    }

    /** Nothing to do: flush, seal the head, report losses; retry a broken file if losses wait to be reported. */
    private void idle() {
        if (out.isBroken() && losses.unreported() > 0) {
            reopen(false);
        }
        if (!out.isBroken()) {
            reportLosses();
            if (out.flush()) {
                out.writeHead();
                out.checkpointIfDue();
            }
        }
    }

    private void finish() {
        if (out.isBroken() && losses.unreported() > 0) {
            reopen(true);
        }
        if (!out.isBroken()) {
            reportLosses();
            if (out.flush()) {
                out.writeHead();
            }
        }
        out.checkpoint("close");
        if (losses.unreported() > 0) {
            LossAccounting.warn(DecisionRecord.notice(clock.instant(), "warn", RULE_LOSS, "audit file " + file
                    + " closed with " + losses.unreported() + " decision records not written: " + losses.cause(),
                    Long.toString(losses.unreported())));
        }
        out.close();
    }

    /** One decision (or a flush) failed with {@code e}: count the loss and write an {@code audit.error} record. */
    private void failed(Object item, Throwable e) {
        String what = item instanceof DecisionEvent ? "decision record #" + ((DecisionEvent) item).seq()
                : "a flush of the audit file";
        String error = describe(e);
        SELF.warn("audit writer of {}: {} could not be written ({}); the writer goes on", file, what, error);
        if (!(item instanceof DecisionEvent)) {
            return;
        }
        try {
            losses.loseReported(what + " could not be written (" + error + ")");
            DecisionRecord notice = DecisionRecord.notice(clock.instant(), "warn", RULE_ERROR, what + " could not be"
                    + " encoded or written (" + error + "); it is counted lost", "1");
            LossAccounting.warn(notice);
            if (out.isBroken() || !append(notice, 0, 1)) {
                losses.giveBack(1);
            }
        } catch (RuntimeException | Error again) {
            losses.giveBack(1); // the notice failed too: an audit.loss record will count it
        }
    }

    private boolean reopen(boolean force) {
        if (!out.reopen(force)) {
            return false;
        }
        reportLosses();
        return !out.isBroken();
    }

    private void write(DecisionEvent event) {
        if (out.isBroken() && !reopen(false)) {
            losses.lose(losses.cause());
            return;
        }
        DecisionRecord record = records.apply(event, redactor);
        if (append(record, 1, 0)) {
            if (config.flushEvery().isZero()) {
                out.flush();
            }
        } else {
            losses.lose(losses.cause());
        }
    }

    private boolean append(DecisionRecord record, long decisions, long noticed) {
        String hash = encoder.encode(record, out.lastHash());
        return out.append(encoder.bytes(), encoder.length(), hash, decisions, noticed);
    }

    /** Writes an {@code audit.loss} record (and a WARN) for the records lost since the last one. */
    private void reportLosses() {
        long n = losses.takeUnreported();
        if (n == 0) {
            return;
        }
        Instant now = clock.instant();
        Instant brokenSince = out.takeBrokenSince();
        String since = brokenSince == null ? "" : " since " + brokenSince;
        DecisionRecord notice = DecisionRecord.notice(now, "warn", RULE_LOSS, n + " decision record"
                + (n == 1 ? " was" : "s were") + " not written to this audit file" + since + ": " + losses.cause(),
                Long.toString(n));
        LossAccounting.warn(notice);
        if (append(notice, 0, n)) {
            out.flush();
        } else {
            losses.giveBack(n);
        }
    }

    /** @return the class and redacted message of a failure; the class alone if even that fails */
    private String describe(Throwable e) {
        try {
            return redactor.redact(e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (RuntimeException | Error again) {
            return e.getClass().getName();
        }
    }

    /** Builds an {@link AuditSink} from its configuration and runtime collaborators. */
    public static final class Builder {
        private final AuditConfig config;
        private Clock clock = Clock.systemUTC();
        private Function<String, String> environment = System::getenv;
        private AuditStorage storage = AuditStorage.FILES;
        private BiFunction<DecisionEvent, Redactor, DecisionRecord> records = DecisionRecord::of;

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

        /** A seam for tests: how an event becomes its record (default {@link DecisionRecord#of}). */
        Builder records(BiFunction<DecisionEvent, Redactor, DecisionRecord> records) {
            this.records = Objects.requireNonNull(records, "records");
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
