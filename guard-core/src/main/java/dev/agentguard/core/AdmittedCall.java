package dev.agentguard.core;

import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.telemetry.Telemetry;

/**
 * What the guard decided and holds for one call, fixed at admission: the decision, who called, and what settling
 * needs (the ledger hold and its units, the price, the reserved prompt and output cap, the health permission, the
 * tool call's fingerprint). The guard builds it and settles from it. The caller's {@link Admission} is this record
 * with the caller-side state added (which end was taken, time to first token, what truncation dropped): one object
 * per call rather than two, on the hot path. Its fields are final.
 */
abstract class AdmittedCall {

    final CallKind kind;
    final Decision decision;
    final GuardScope scope;
    /** The record of the call's session (figures and rule state), found at admission; null without a session. */
    final Telemetry.Tracked session;
    final String tool;
    final String toolArguments;
    final Hold hold;
    final Unit[] units;
    final ModelPrice price;
    final boolean priced;
    final long promptTokens;
    final long maxOutputTokens;
    final long reservedNanos;
    final long startTick;
    final ModelHealth.Breakers breakers;
    final long fingerprint;
    /** The call's id, unique among its guard's calls: what pairs an admission's event with its settlement's. */
    final long id;
    /** For a tool priced per unit it reports: the units reserved ({@link #reservedNanos} is their price); else 0. */
    final long toolMaxUnits;

    AdmittedCall(long id, CallKind kind, Decision decision, GuardScope scope, Telemetry.Tracked session,
            String tool, String toolArguments, Hold hold, Unit[] units, ModelPrice price, boolean priced,
            long promptTokens, long maxOutputTokens, long reservedNanos, long startTick,
            ModelHealth.Breakers breakers, long fingerprint, long toolMaxUnits) {
        this.toolMaxUnits = toolMaxUnits;
        this.id = id;
        this.kind = kind;
        this.decision = decision;
        this.scope = scope;
        this.session = session;
        this.tool = tool;
        this.toolArguments = toolArguments;
        this.hold = hold;
        this.units = units;
        this.price = price;
        this.priced = priced;
        this.promptTokens = promptTokens;
        this.maxOutputTokens = maxOutputTokens;
        this.reservedNanos = reservedNanos;
        this.startTick = startTick;
        this.breakers = breakers;
        this.fingerprint = fingerprint;
    }

    /** @return the model to call (after any downgrade); null for a tool call */
    String model() {
        return decision.model();
    }

    /** @return true if the call holds a reservation or a probe permission that must be given back */
    boolean holdsSomething() {
        return hold != null && hold.granted() && hold.size() > 0 || breakers != null;
    }
}
