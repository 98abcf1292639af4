package dev.agentguard.core;

import java.util.Objects;

/**
 * What the guard does with a model that the price catalog does not know. An unknown price is never silently
 * $0: whatever the policy, such calls are recorded with {@code priced: false}.
 * <ul>
 *   <li>{@code block}: refuse the call (rule {@code pricing.unknownModel}). The default.</li>
 *   <li>{@code warn}: let it through with a warning; cost budgets cannot count it (token and call budgets
 *       still do).</li>
 *   <li>{@code assume:<model>}: price it as the named, known model.</li>
 * </ul>
 */
public final class UnknownModelPolicy {

    /** The kinds of policy. */
    public enum Kind {
        /** Refuse calls to unpriced models. */
        BLOCK,
        /** Allow them with a warning. */
        WARN,
        /** Price them as another model. */
        ASSUME
    }

    private static final UnknownModelPolicy BLOCK = new UnknownModelPolicy(Kind.BLOCK, null);
    private static final UnknownModelPolicy WARN = new UnknownModelPolicy(Kind.WARN, null);

    private final Kind kind;
    private final String assumedModel;

    private UnknownModelPolicy(Kind kind, String assumedModel) {
        this.kind = kind;
        this.assumedModel = assumedModel;
    }

    /** @return refuse calls to unpriced models */
    public static UnknownModelPolicy block() {
        return BLOCK;
    }

    /** @return allow calls to unpriced models with a warning */
    public static UnknownModelPolicy warn() {
        return WARN;
    }

    /**
     * @param model a model the catalog knows
     * @return price unknown models as that one
     * @throws IllegalArgumentException if the model name is blank
     */
    public static UnknownModelPolicy assume(String model) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("unknownModel assume needs a model name, e.g. assume:gpt-4o");
        }
        return new UnknownModelPolicy(Kind.ASSUME, model.trim());
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return the model to price as, for {@link Kind#ASSUME}; otherwise null */
    public String assumedModel() {
        return assumedModel;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnknownModelPolicy && ((UnknownModelPolicy) o).kind == kind
                && Objects.equals(((UnknownModelPolicy) o).assumedModel, assumedModel);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, assumedModel);
    }

    /** @return the policy form: {@code block}, {@code warn} or {@code assume:gpt-4o} */
    @Override
    public String toString() {
        return kind == Kind.ASSUME ? "assume:" + assumedModel : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
