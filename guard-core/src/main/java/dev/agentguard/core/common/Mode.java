package dev.agentguard.core.common;

import java.util.Locale;

/** Whether a guard applies its decisions or only records them. */
public enum Mode {
    /** Decisions are applied: refused calls fail, downgrades reroute. */
    ENFORCE,
    /** Every rule is evaluated and every decision recorded, but no call is ever refused or changed. */
    SHADOW;

    /** @return the lower-case id used in policies and decision records */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
