package dev.agentguard.policy;

import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.redact.RedactionClass;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code audit} section of a policy: the JSONL audit trail, validated by the core's {@link AuditConfig}
 * builder. Immutable.
 *
 * <pre>
 * audit:
 *   file: logs/agent-guard-audit.jsonl      # relative to the working directory
 *   redact: [secrets, emails, cards, phones] # the default: every class; none only when written out
 *   redactPatterns: ['ticket-[0-9]{6}']
 *   hmacKeyEnv: AUDIT_HMAC_KEY
 *   rotate: { maxSize: 100MB, daily: true }
 *   queue: { size: 8192, onFull: wait, maxWait: 1s }
 * </pre>
 */
public final class AuditSettings {

    /** A class of sensitive text that the audit trail redacts. */
    public enum Redaction {
        /** API keys, tokens, passwords and other credentials. */
        SECRETS,
        /** E-mail addresses. */
        EMAILS,
        /** Payment card numbers and IBANs. */
        CARDS,
        /** Telephone numbers. */
        PHONES;

        /** @return the policy form, e.g. {@code secrets} */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final AuditConfig config;

    /**
     * @param file the JSONL file to append decisions to
     * @param redact the classes of text to redact; empty redacts nothing
     */
    public AuditSettings(Path file, Set<Redaction> redact) {
        this(AuditConfig.builder().file(Objects.requireNonNull(file, "file"))
                .redact(redact.stream().map(Redaction::id).collect(Collectors.toList())).build());
    }

    AuditSettings(AuditConfig config) {
        this.config = config;
    }

    /** @return the JSONL file, as written in the policy (a relative path is relative to the working directory) */
    public Path file() {
        return config.file();
    }

    /** @return the classes of text to redact; empty when the policy says {@code redact: none} */
    public Set<Redaction> redact() {
        Set<Redaction> out = EnumSet.noneOf(Redaction.class);
        for (RedactionClass c : config.redact()) {
            out.add(Redaction.valueOf(c.name()));
        }
        return Collections.unmodifiableSet(out);
    }

    /** @return the core configuration the audit sink is opened with */
    public AuditConfig config() {
        return config;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditSettings && key().equals(((AuditSettings) o).key());
    }

    private List<Object> key() {
        return List.of(config.toString(), config.redact(), config.redactPatterns());
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    @Override
    public String toString() {
        return "AuditSettings{" + config + '}';
    }
}
