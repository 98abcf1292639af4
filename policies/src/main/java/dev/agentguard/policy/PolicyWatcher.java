package dev.agentguard.policy;

import dev.agentguard.core.Guard;
import dev.agentguard.core.common.Ticker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads a guard's policy when its file changes: new admissions use the new policy, while in-flight
 * reservations, budget windows, session counts and listeners carry over ({@link Guard#reconfigure}). A change
 * that does not load (a typo saved mid-edit) keeps the last good policy; it is logged at WARN and recorded as a
 * decision ({@link Guard#rejectPolicy}, rule {@value Guard#RULE_POLICY_RELOAD}) so that the audit trail shows it.
 *
 * <pre>
 * Guard guard = Policies.load(file);
 * PolicyWatcher watcher = PolicyWatcher.builder(file, guard).build().start();
 * ...
 * watcher.close();
 * </pre>
 *
 * <p>A change is a change of content (a SHA-256 of the bytes) of the policy file or of any file it
 * {@code extends}, so touching a file or saving it unchanged does nothing. {@link #poll()} checks once, on the
 * caller's thread: tests and applications with their own scheduler call it directly. {@link #start()} runs a daemon
 * thread on a {@link WatchService} that polls after each burst of file-system events (editors write a file in
 * several steps; the burst ends after a quiet period, 100 ms by default), and again while a change settles.
 *
 * <p><b>Never half a file.</b> A file rewritten in place is, for a while, a valid prefix of itself (a policy
 * without its budgets). So a change is applied only once it has stayed the same for the settle period (500 ms by
 * default): the poll that first sees new content returns {@link Outcome#SETTLING}, and a later poll applies it if
 * the content is unchanged and the period has passed. The safe way to publish a policy is still to write it
 * beside the old one and rename it over it ({@code mv -f new.yaml policy.yaml}, an atomic rename): the watcher
 * then never sees a partial file, however slowly it was written.
 *
 * <p>What a reload cannot change: the guard's clocks, ledger and listeners, and the audit sink; a changed
 * {@code audit} section is logged at WARN and applies at the next start.
 */
public final class PolicyWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyWatcher.class);
    /** How long changed files must stay unchanged before they are applied, unless the builder says otherwise. */
    public static final Duration DEFAULT_SETTLE = Duration.ofMillis(500);

    /** What a {@link #poll()} did. */
    public enum Outcome {
        /** No watched file changed. */
        UNCHANGED,
        /** A changed policy loaded and the guard now runs it. */
        RELOADED,
        /** A changed policy did not load; the guard keeps the one it had. */
        REJECTED,
        /** A change was seen; it is applied once the files stay unchanged for the settle period. */
        SETTLING
    }

    private final Path file;
    private final String agent;
    private final Guard guard;
    private final PolicyReader reader;
    private final Duration quietPeriod;
    private final Duration settle;
    private final Ticker ticker;

    private final Object lock = new Object();
    private Policy current;
    private PolicyException lastRejection;
    private List<Path> watched;
    private byte[] fingerprint;
    private byte[] pending; // content seen but not yet stable
    private long pendingSince;

    private volatile boolean closed;
    private WatchService watchService;
    private Thread thread;
    private final Set<Path> registered = new LinkedHashSet<>();

    private PolicyWatcher(Builder b) {
        this.file = b.file;
        this.agent = b.agent;
        this.guard = b.guard;
        this.reader = b.reader;
        this.quietPeriod = b.quietPeriod;
        this.settle = b.settle;
        this.ticker = b.ticker;
        this.watched = List.of(file);
        byte[] before = fingerprint(watched);
        this.current = read();
        this.watched = filesOf(current);
        this.fingerprint = watched.equals(List.of(file)) ? before : fingerprint(watched);
    }

    /**
     * @param file the policy file the guard runs
     * @param guard the guard to reconfigure
     * @return a builder
     */
    public static Builder builder(Path file, Guard guard) {
        return new Builder(file, guard);
    }

    private Policy read() {
        return agent == null ? reader.parse(file) : reader.parse(file, agent);
    }

    private List<Path> filesOf(Policy p) {
        Set<Path> files = new LinkedHashSet<>();
        files.add(file);
        files.addAll(p.files());
        return List.copyOf(files);
    }

    /**
     * Checks the watched files once and reloads if their content changed.
     *
     * @return what happened
     */
    public Outcome poll() {
        synchronized (lock) {
            byte[] now = fingerprint(watched);
            if (Arrays.equals(now, fingerprint)) {
                pending = null;
                return Outcome.UNCHANGED;
            }
            if (!settle.isZero() && (!Arrays.equals(now, pending) || ticker.read() - pendingSince < settle.toNanos())) {
                if (!Arrays.equals(now, pending)) {
                    pending = now;
                    pendingSince = ticker.read();
                }
                return Outcome.SETTLING;
            }
            Policy next;
            PolicyException rejected = null;
            try {
                next = read();
            } catch (PolicyException e) {
                next = null;
                rejected = e;
            }
            byte[] after = fingerprint(watched);
            if (!settle.isZero() && !Arrays.equals(after, now)) { // it changed while it was read: not stable yet
                pending = after;
                pendingSince = ticker.read();
                return Outcome.SETTLING;
            }
            pending = null;
            fingerprint = now; // a rejected content is reported once, not at every poll until it is fixed
            if (rejected != null) {
                PolicyException e = rejected;
                lastRejection = e;
                LOG.warn("policy {} changed but does not load; {} stays in force:\n{}", file,
                        guard.config().name(), e.getMessage());
                guard.rejectPolicy(e.getMessage());
                return Outcome.REJECTED;
            }
            if (!next.audit().equals(current.audit())) {
                LOG.warn("policy {}: the audit section changed ({} -> {}); the audit sink keeps its settings until"
                        + " the guard is restarted", file, current.audit().orElse(null), next.audit().orElse(null));
            }
            guard.reconfigure(next.config());
            current = next;
            lastRejection = null;
            List<Path> files = filesOf(next);
            if (!files.equals(watched)) {
                watched = files;
                fingerprint = fingerprint(files);
            }
            LOG.info("policy {} reloaded: {}", file, next.config());
            return Outcome.RELOADED;
        }
    }

    /** @return the policy the guard runs: the last one that loaded */
    public Policy current() {
        synchronized (lock) {
            return current;
        }
    }

    /** @return why the latest change was rejected, while it is the latest; empty once a change loads */
    public Optional<PolicyException> lastRejection() {
        synchronized (lock) {
            return Optional.ofNullable(lastRejection);
        }
    }

    /** @return the files whose changes trigger a reload: the policy file and those it extends */
    public List<Path> watchedFiles() {
        synchronized (lock) {
            return watched;
        }
    }

    private static byte[] fingerprint(List<Path> files) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        for (Path f : files) {
            sha.update(f.toString().getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(f)) {
                byte[] bytes = in.readNBytes(YamlReader.MAX_BYTES + 1);
                sha.update((byte) 1);
                sha.update(bytes);
            } catch (NoSuchFileException e) {
                sha.update((byte) 0); // deleted (or being replaced): the reload will say so
            } catch (IOException e) {
                sha.update((byte) 2);
                sha.update(String.valueOf(e).getBytes(StandardCharsets.UTF_8));
            }
        }
        return sha.digest();
    }

    /**
     * Starts watching in the background: a daemon thread that waits on a {@link WatchService} for changes in the
     * directories of the watched files and {@link #poll() polls} after each burst of them.
     *
     * @return this
     * @throws IllegalStateException if already started or closed, or if the directories cannot be watched
     */
    public PolicyWatcher start() {
        synchronized (lock) {
            if (thread != null || closed) {
                throw new IllegalStateException("the watcher is already started or closed");
            }
            try {
                watchService = FileSystems.getDefault().newWatchService();
                register(watched);
            } catch (IOException e) {
                throw new IllegalStateException("cannot watch " + watched, e);
            }
            thread = new Thread(this::run, "agent-guard-policy-watcher");
            thread.setDaemon(true);
            thread.start();
            return this;
        }
    }

    private void register(List<Path> files) throws IOException {
        for (Path f : files) {
            Path dir = f.toAbsolutePath().getParent();
            if (dir != null && registered.add(dir)) {
                dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            }
        }
    }

    private void run() {
        try {
            while (!closed) {
                WatchKey key = watchService.take();
                List<WatchKey> burst = new ArrayList<>();
                burst.add(key);
                // wait for the burst of events of one save to end
                WatchKey more;
                while ((more = watchService.poll(quietPeriod.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    burst.add(more);
                }
                for (WatchKey k : burst) {
                    k.pollEvents();
                    k.reset();
                }
                try {
                    Outcome outcome = poll();
                    while (outcome == Outcome.SETTLING && !closed) {
                        // wait for the change to settle, then look again (events meanwhile only mean "not yet")
                        WatchKey k = watchService.poll(Math.max(1, settle.toMillis()), TimeUnit.MILLISECONDS);
                        if (k != null) {
                            k.pollEvents();
                            k.reset();
                        }
                        outcome = poll();
                    }
                    if (outcome == Outcome.RELOADED) {
                        synchronized (lock) {
                            register(watched); // a new extends may live in another directory
                        }
                    }
                } catch (RuntimeException | IOException e) {
                    LOG.warn("policy watcher for {}: reload failed; the guard keeps its policy", file, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            // closed: done
        }
    }

    /** Stops the background thread, if started; {@link #poll()} keeps working. */
    @Override
    public void close() {
        closed = true;
        WatchService ws;
        Thread t;
        synchronized (lock) {
            ws = watchService;
            t = thread;
        }
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                LOG.debug("closing the watch service", e);
            }
        }
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public String toString() {
        return "PolicyWatcher{" + file + (agent == null ? "" : "#" + agent) + '}';
    }

    /** Builds a {@link PolicyWatcher}. */
    public static final class Builder {
        private final Path file;
        private final Guard guard;
        private String agent;
        private PolicyReader reader = PolicyReader.systemEnvironment();
        private Duration quietPeriod = Duration.ofMillis(100);
        private Duration settle = DEFAULT_SETTLE;
        private Ticker ticker = Ticker.system();

        private Builder(Path file, Guard guard) {
            this.file = Objects.requireNonNull(file, "file");
            this.guard = Objects.requireNonNull(guard, "guard");
        }

        /** @param agent the agent of a multi-agent file that the guard runs @return this */
        public Builder agent(String agent) {
            this.agent = Objects.requireNonNull(agent, "agent");
            return this;
        }

        /** @param reader how to read the file (environment substitution); default the process environment @return this */
        public Builder reader(PolicyReader reader) {
            this.reader = Objects.requireNonNull(reader, "reader");
            return this;
        }

        /** @param quiet how long the file system must stay quiet before a burst of events is acted on @return this */
        public Builder quietPeriod(Duration quiet) {
            if (quiet.isNegative()) {
                throw new IllegalArgumentException("quietPeriod must not be negative, was " + quiet);
            }
            this.quietPeriod = quiet;
            return this;
        }

        /**
         * @param period how long changed files must stay unchanged before the change is applied (default 500 ms);
         *     zero applies a change at the first poll that sees it, which is safe only when policies are published
         *     by an atomic rename
         * @return this
         */
        public Builder settle(Duration period) {
            if (period.isNegative()) {
                throw new IllegalArgumentException("settle must not be negative, was " + period);
            }
            this.settle = period;
            return this;
        }

        /** @param ticker the monotonic time that the settle period is measured on; default the system's @return this */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Reads the file once, as the baseline that later changes are compared with. The guard is not touched:
         * it is expected to run this file's policy already.
         *
         * @return the watcher, not yet started
         * @throws PolicyException if the file does not load now
         */
        public PolicyWatcher build() {
            return new PolicyWatcher(this);
        }
    }
}
