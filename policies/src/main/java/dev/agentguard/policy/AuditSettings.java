package dev.agentguard.policy;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code audit} section of a policy: where the JSONL audit trail goes and which classes of sensitive text are
 * redacted before anything reaches it. Parsed and validated here; creating the sink from it is the audit module's
 * job. Immutable.
 *
 * <pre>
 * audit:
 *   file: logs/agent-guard-audit.jsonl     # relative to the working directory
 *   redact: [secrets, emails, cards, phones]
 * </pre>
 */
public final class AuditSettings {

    /** A class of sensitive text that the audit trail redacts. */
    public enum Redaction {
        /** API keys, tokens, passwords and other credentials. */
        SECRETS,
        /** E-mail addresses. */
        EMAILS,
        /** Payment card numbers. */
        CARDS,
        /** Telephone numbers. */
        PHONES;

        /** @return the policy form, e.g. {@code secrets} */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Path file;
    private final Set<Redaction> redact;

    /**
     * @param file the JSONL file to append decisions to
     * @param redact the classes of text to redact
     */
    public AuditSettings(Path file, Set<Redaction> redact) {
        this.file = Objects.requireNonNull(file, "file");
        this.redact = Collections.unmodifiableSet(redact.isEmpty() ? EnumSet.noneOf(Redaction.class)
                : EnumSet.copyOf(redact));
    }

    /** @return the JSONL file, as written in the policy (a relative path is relative to the working directory) */
    public Path file() {
        return file;
    }

    /** @return the classes of text to redact; empty when none is listed */
    public Set<Redaction> redact() {
        return redact;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditSettings && ((AuditSettings) o).file.equals(file)
                && ((AuditSettings) o).redact.equals(redact);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, redact);
    }

    @Override
    public String toString() {
        return "AuditSettings{" + file + ", redact " + redact + '}';
    }
}
