package dev.agentguard.core.audit;

import dev.agentguard.core.redact.RedactionClass;
import dev.agentguard.core.redact.Redactor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How the JSONL audit file is written: where, what is redacted, when it is flushed and rotated, whether the hash
 * chain is keyed, and how much may queue up. Immutable; built and validated once by {@link Builder#build()},
 * whose messages name the property ({@code audit.file}, {@code audit.redact}…) and the bad value. The YAML
 * layer ({@code audit: {file, redact: [...]}}) calls the same builder.
 *
 * <table>
 *   <caption>Properties and defaults</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code file}</td><td>required</td><td>the active file; rotated files sit beside it</td></tr>
 *   <tr><td>{@code redact}</td><td>all classes</td><td>{@link RedactionClass}es applied to every text</td></tr>
 *   <tr><td>{@code redactPatterns}</td><td>none</td><td>custom label → regular expression</td></tr>
 *   <tr><td>{@code flushEvery}</td><td>1s</td><td>{@code 0} flushes after every record</td></tr>
 *   <tr><td>{@code rotateDaily}</td><td>false</td><td>start a new file when the day changes in {@code zone}</td></tr>
 *   <tr><td>{@code rotateAtBytes}</td><td>0 (off)</td><td>start a new file before one would pass this size</td></tr>
 *   <tr><td>{@code zone}</td><td>UTC</td><td>the zone of daily rotation and of rotated file names</td></tr>
 *   <tr><td>{@code hmacKeyEnv}</td><td>none</td><td>environment variable holding the HMAC-SHA256 key of the chain</td></tr>
 *   <tr><td>{@code queueCapacity}</td><td>8192</td><td>decisions waiting for the writer</td></tr>
 *   <tr><td>{@code maxBlock}</td><td>1s</td><td>how long a caller waits on a full queue before the record is counted lost</td></tr>
 *   <tr><td>{@code retryEvery}</td><td>5s</td><td>how often a failing file is reopened</td></tr>
 *   <tr><td>{@code closeTimeout}</td><td>30s</td><td>how long {@code close()} waits for the queue to drain</td></tr>
 *   <tr><td>{@code shutdownHook}</td><td>true</td><td>drain and close the file when the JVM exits</td></tr>
 *   <tr><td>{@code checkpointEveryRecords}</td><td>1000</td><td>log a checkpoint after this many records</td></tr>
 *   <tr><td>{@code checkpointEvery}</td><td>1m</td><td>log a checkpoint at least this often while records come</td></tr>
 * </table>
 */
public final class AuditConfig {

    /** Default of {@code flushEvery}. */
    public static final Duration DEFAULT_FLUSH_EVERY = Duration.ofSeconds(1);
    /** Default of {@code queueCapacity}. */
    public static final int DEFAULT_QUEUE_CAPACITY = 8192;
    /** The smallest {@code rotateAtBytes} accepted. */
    public static final long MIN_ROTATE_BYTES = 1024;
    /** Default of {@code checkpointEveryRecords}. */
    public static final long DEFAULT_CHECKPOINT_RECORDS = 1000;
    /** Default of {@code checkpointEvery}. */
    public static final Duration DEFAULT_CHECKPOINT_EVERY = Duration.ofMinutes(1);
    /** The shortest HMAC key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 16;

    private final Path file;
    private final Set<RedactionClass> redact;
    private final Map<String, String> redactPatterns;
    private final Duration flushEvery;
    private final boolean rotateDaily;
    private final long rotateAtBytes;
    private final ZoneId zone;
    private final String hmacKeyEnv;
    private final int queueCapacity;
    private final Duration maxBlock;
    private final Duration retryEvery;
    private final Duration closeTimeout;
    private final boolean shutdownHook;
    private final long checkpointEveryRecords;
    private final Duration checkpointEvery;
    private final Redactor redactor;

    private AuditConfig(Builder b, Redactor redactor) {
        this.file = b.file;
        this.redact = Collections.unmodifiableSet(b.redact.isEmpty() ? EnumSet.noneOf(RedactionClass.class)
                : EnumSet.copyOf(b.redact));
        this.redactPatterns = redactor.customPatterns();
        this.flushEvery = b.flushEvery;
        this.rotateDaily = b.rotateDaily;
        this.rotateAtBytes = b.rotateAtBytes;
        this.zone = b.zone;
        this.hmacKeyEnv = b.hmacKeyEnv;
        this.queueCapacity = b.queueCapacity;
        this.maxBlock = b.maxBlock;
        this.retryEvery = b.retryEvery;
        this.closeTimeout = b.closeTimeout;
        this.shutdownHook = b.shutdownHook;
        this.checkpointEveryRecords = b.checkpointEveryRecords;
        this.checkpointEvery = b.checkpointEvery;
        this.redactor = redactor;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts with this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.file = file;
        b.redact = EnumSet.noneOf(RedactionClass.class);
        b.redact.addAll(redact);
        b.patterns.putAll(redactPatterns);
        b.flushEvery = flushEvery;
        b.rotateDaily = rotateDaily;
        b.rotateAtBytes = rotateAtBytes;
        b.zone = zone;
        b.hmacKeyEnv = hmacKeyEnv;
        b.queueCapacity = queueCapacity;
        b.maxBlock = maxBlock;
        b.retryEvery = retryEvery;
        b.closeTimeout = closeTimeout;
        b.shutdownHook = shutdownHook;
        b.checkpointEveryRecords = checkpointEveryRecords;
        b.checkpointEvery = checkpointEvery;
        return b;
    }

    /** @return the active audit file */
    public Path file() {
        return file;
    }

    /** @return the built-in redaction classes applied */
    public Set<RedactionClass> redact() {
        return redact;
    }

    /** @return the custom redaction patterns' regular expressions, by label */
    public Map<String, String> redactPatterns() {
        return redactPatterns;
    }

    /** @return the redactor of these classes and patterns */
    public Redactor redactor() {
        return redactor;
    }

    /** @return the flush interval; zero means after every record */
    public Duration flushEvery() {
        return flushEvery;
    }

    /** @return true if the file rotates when the day changes */
    public boolean rotateDaily() {
        return rotateDaily;
    }

    /** @return the size at which the file rotates, or 0 */
    public long rotateAtBytes() {
        return rotateAtBytes;
    }

    /** @return the zone of daily rotation and of rotated file names */
    public ZoneId zone() {
        return zone;
    }

    /** @return the environment variable holding the chain's HMAC key, or null for a plain SHA-256 chain */
    public String hmacKeyEnv() {
        return hmacKeyEnv;
    }

    /** @return how many decisions may wait for the writer */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** @return how long a caller waits on a full queue before its record is counted lost */
    public Duration maxBlock() {
        return maxBlock;
    }

    /** @return how often a file that failed is reopened */
    public Duration retryEvery() {
        return retryEvery;
    }

    /** @return how long {@code close()} waits for the writer to drain the queue */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** @return true if a JVM shutdown hook drains and closes the file */
    public boolean shutdownHook() {
        return shutdownHook;
    }

    /** @return after how many records a checkpoint is logged (also at every rotation and at close) */
    public long checkpointEveryRecords() {
        return checkpointEveryRecords;
    }

    /** @return how often a checkpoint is logged at least, while records are written */
    public Duration checkpointEvery() {
        return checkpointEvery;
    }

    /** @return the properties; the key is never part of it, only the name of its variable */
    @Override
    public String toString() {
        return "AuditConfig{file=" + file + ", redact=" + redactor + ", flushEvery=" + flushEvery
                + ", rotateDaily=" + rotateDaily + ", rotateAtBytes=" + rotateAtBytes + ", zone=" + zone
                + ", hmacKeyEnv=" + hmacKeyEnv + ", queueCapacity=" + queueCapacity + ", maxBlock=" + maxBlock
                + ", retryEvery=" + retryEvery + ", closeTimeout=" + closeTimeout + ", shutdownHook=" + shutdownHook
                + ", checkpointEveryRecords=" + checkpointEveryRecords + ", checkpointEvery=" + checkpointEvery + '}';
    }

    /** Builds an {@link AuditConfig}; {@link #build()} validates every property. */
    public static final class Builder {
        private Path file;
        private Set<RedactionClass> redact = EnumSet.allOf(RedactionClass.class);
        private final List<String> badRedact = new ArrayList<>();
        private final Map<String, String> patterns = new LinkedHashMap<>();
        private Duration flushEvery = DEFAULT_FLUSH_EVERY;
        private boolean rotateDaily;
        private long rotateAtBytes;
        private ZoneId zone = ZoneOffset.UTC;
        private String hmacKeyEnv;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private Duration maxBlock = Duration.ofSeconds(1);
        private Duration retryEvery = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(30);
        private boolean shutdownHook = true;
        private long checkpointEveryRecords = DEFAULT_CHECKPOINT_RECORDS;
        private Duration checkpointEvery = DEFAULT_CHECKPOINT_EVERY;

        private Builder() {
        }

        /** @param file the active audit file, e.g. {@code logs/agent-guard-audit.jsonl} @return this */
        public Builder file(Path file) {
            this.file = file;
            return this;
        }

        /** @param classes the redaction classes (replaces the default of all) @return this */
        public Builder redact(RedactionClass... classes) {
            this.redact = EnumSet.noneOf(RedactionClass.class);
            this.redact.addAll(List.of(classes));
            this.badRedact.clear();
            return this;
        }

        /**
         * @param classIds redaction class ids as a policy writes them ({@code secrets}, {@code emails},
         *     {@code cards}, {@code phones}); unknown ids fail {@link #build()}
         * @return this
         */
        public Builder redact(Collection<String> classIds) {
            this.redact = EnumSet.noneOf(RedactionClass.class);
            this.badRedact.clear();
            for (String id : classIds) {
                try {
                    redact.add(RedactionClass.of(id));
                } catch (IllegalArgumentException e) {
                    badRedact.add(id);
                }
            }
            return this;
        }

        /**
         * @param label the name in the replacement, {@code [REDACTED:<label>]}
         * @param regex a regular expression in RE2 syntax (Java's without look-around and back-references), so
         *     that it runs in linear time
         * @return this
         */
        public Builder redactPattern(String label, String regex) {
            patterns.put(label, regex);
            return this;
        }

        /** @param interval flush at most this long after a record is written; zero flushes every record @return this */
        public Builder flushEvery(Duration interval) {
            this.flushEvery = interval;
            return this;
        }

        /** @return this, flushing after every record */
        public Builder flushEachRecord() {
            return flushEvery(Duration.ZERO);
        }

        /** @param daily rotate when the day changes @return this */
        public Builder rotateDaily(boolean daily) {
            this.rotateDaily = daily;
            return this;
        }

        /** @param bytes rotate before the file would pass this size; 0 turns size rotation off @return this */
        public Builder rotateAtBytes(long bytes) {
            this.rotateAtBytes = bytes;
            return this;
        }

        /** @param zone the zone of days for rotation and file names @return this */
        public Builder zone(ZoneId zone) {
            this.zone = zone;
            return this;
        }

        /** @param variable the environment variable holding the chain's HMAC-SHA256 key; null for none @return this */
        public Builder hmacKeyEnv(String variable) {
            this.hmacKeyEnv = variable;
            return this;
        }

        /** @param capacity decisions that may wait for the writer @return this */
        public Builder queueCapacity(int capacity) {
            this.queueCapacity = capacity;
            return this;
        }

        /** @param maxBlock how long a caller may wait on a full queue @return this */
        public Builder maxBlock(Duration maxBlock) {
            this.maxBlock = maxBlock;
            return this;
        }

        /** @param interval how often a failing file is reopened @return this */
        public Builder retryEvery(Duration interval) {
            this.retryEvery = interval;
            return this;
        }

        /** @param timeout how long close() waits for the writer @return this */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** @param hook whether a JVM shutdown hook drains and closes the file @return this */
        public Builder shutdownHook(boolean hook) {
            this.shutdownHook = hook;
            return this;
        }

        /**
         * @param records log a checkpoint of the chain (record count and last hash) on the decision logger after
         *     this many records; checkpoints are also logged at every rotation and at close
         * @return this
         */
        public Builder checkpointEveryRecords(long records) {
            this.checkpointEveryRecords = records;
            return this;
        }

        /** @param interval log a checkpoint at least this often while records are written @return this */
        public Builder checkpointEvery(Duration interval) {
            this.checkpointEvery = interval;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException naming the property and its bad value
         */
        public AuditConfig build() {
            if (file == null) {
                throw new IllegalArgumentException("audit.file is required");
            }
            if (file.getFileName() == null) {
                throw new IllegalArgumentException("audit.file must name a file, was \"" + file + "\"");
            }
            if (!badRedact.isEmpty()) {
                throw new IllegalArgumentException("audit.redact: unknown class \"" + badRedact.get(0)
                        + "\"; expected secrets, emails, cards or phones");
            }
            Redactor.Builder redactor = Redactor.builder().classes(redact);
            for (Map.Entry<String, String> p : patterns.entrySet()) {
                try {
                    redactor.pattern(p.getKey(), p.getValue());
                } catch (IllegalArgumentException | NullPointerException e) {
                    String why = String.valueOf(e.getMessage()).replaceFirst("^redaction pattern \"[^\"]*\":? ", "");
                    throw new IllegalArgumentException("audit.redactPatterns." + p.getKey() + ": " + why, e);
                }
            }
            if (flushEvery == null || flushEvery.isNegative()) {
                throw new IllegalArgumentException("audit.flushEvery must be >= 0 (0 flushes every record), was "
                        + flushEvery);
            }
            if (rotateAtBytes != 0 && rotateAtBytes < MIN_ROTATE_BYTES) {
                throw new IllegalArgumentException("audit.rotateAtBytes must be 0 (off) or >= " + MIN_ROTATE_BYTES
                        + ", was " + rotateAtBytes);
            }
            if (zone == null) {
                throw new IllegalArgumentException("audit.zone is required, was null");
            }
            if (hmacKeyEnv != null && !hmacKeyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("audit.hmacKeyEnv must be an environment variable name, was \""
                        + hmacKeyEnv + "\"");
            }
            if (queueCapacity < 1 || queueCapacity > 1 << 22) {
                throw new IllegalArgumentException("audit.queueCapacity must be between 1 and " + (1 << 22)
                        + ", was " + queueCapacity);
            }
            positiveOrZero("audit.maxBlock", maxBlock);
            positive("audit.retryEvery", retryEvery);
            positive("audit.closeTimeout", closeTimeout);
            positive("audit.checkpointEvery", checkpointEvery);
            if (checkpointEveryRecords < 1) {
                throw new IllegalArgumentException("audit.checkpointEveryRecords must be >= 1, was "
                        + checkpointEveryRecords);
            }
            return new AuditConfig(this, redactor.build());
        }

        private static void positiveOrZero(String name, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be >= 0, was " + d);
            }
        }

        private static void positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, was " + d);
            }
        }
    }
}
