package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.telemetry.Telemetry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One admitted (or refused) call: the low-level protocol under the decorators, for callers who cannot use them.
 *
 * <pre>{@code
 * try (Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o-mini").promptTokens(1200).build())) {
 *     if (!a.proceeds()) {
 *         throw new IllegalStateException(a.decision().reason());
 *     }
 *     Response r = client.call(a.model(), ...);    // a.model() may be a downgrade
 *     a.settle(Usage.of(r.input(), r.cached(), 0, r.output(), r.reasoning()));
 * } catch (IOException e) {
 *     // already settled? then this does nothing
 * }
 * }</pre>
 *
 * <p><b>Contract.</b> Exactly one of {@link #settle}, {@link #complete}, {@link #fail}, {@link #cancel} or
 * {@link #release} takes effect; it returns {@code true}, and every later call returns {@code false} and does
 * nothing. {@link #close()} releases an admission that was never settled, so try-with-resources never leaks a
 * reservation. A refused admission holds nothing: all of them return {@code false}. The methods are thread-safe
 * (a stream can complete on one thread while the caller cancels on another: one of them wins).
 *
 * <p><b>Every hold ends.</b> A reservation left open longer than the policy's {@code reservations.lease} (a
 * stream that never calls back, a thread that died between admit and settle) is charged its worst case by the
 * guard, and recorded with the rule {@value Guard#RULE_RESERVATION_EXPIRED}; a settlement that comes after that
 * returns {@code false}, counts nothing and is recorded (outcome {@value DecisionEvent#LATE}).
 *
 * <p><b>Accounting.</b> {@code settle} counts the reported usage at the model's price. A count the provider did
 * not report is charged at the reservation's estimate (prompt tokens for input, the output cap for output), so
 * missing usage never under-counts. {@code fail} and {@code cancel} count what the provider reported when it
 * reported anything; when it reported nothing, the call is never free: it is charged by the policy's
 * {@code streaming.onCancel} ({@link OnCancel}): its worst case, or the prompt plus the output received.
 * {@code release} counts nothing: use it only for a call that was never made. Latency is measured from admission
 * with the guard's ticker unless given.
  */
public final class Admission extends AdmittedCall implements AutoCloseable {

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Admission.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int OPEN = 0;
    private static final int DONE = 1;
    /** Ended by the guard at the end of its lease; a settlement may still come, late. */
    private static final int EXPIRED = 2;
    /** Expired, and a late settlement was recorded. */
    private static final int LATE = 3;

    private final Guard guard;
    // Volatile fields start at their defaults: an initialised one would cost every admission a store and a fence.
    /** The guard's ticker at the first streamed token; meaningful once {@link #firstTokenSeen}. */
    private volatile long firstTokenTick;
    private volatile boolean firstTokenSeen;
    /** What the caller dropped to follow a truncation, or null when it reported nothing. */
    private volatile Dropped dropped;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /** The stripe of the guard's {@link OpenCalls} that keeps it: the admitting thread's id (final, for any thread). */
    final int openStripe = (int) Thread.currentThread().getId();
    /** Its index in that stripe while registered, else -1; read and written under the stripe's lock only. */
    int openSlot = -1;

    private Admission(Guard guard, long id, CallKind kind, Decision decision, GuardScope scope,
            Telemetry.Tracked session, String tool, String toolArguments, Hold hold, Unit[] units, ModelPrice price,
            boolean priced, long promptTokens, long maxOutputTokens, long reservedNanos, long startTick,
            ModelHealth.Breakers breakers, long fingerprint, long toolMaxUnits) {
        super(id, kind, decision, scope, session, tool, toolArguments, hold, units, price, priced, promptTokens,
                maxOutputTokens, reservedNanos, startTick, breakers, fingerprint, toolMaxUnits);
        this.guard = guard;
        this.state = decision.proceeds() ? OPEN : DONE;
    }

    /** An admitted (or, in shadow mode, would-be refused) model call and what it holds. */
    static Admission modelCall(Guard guard, long id, Decision decision, GuardScope scope, Telemetry.Tracked session,
            Hold hold, Unit[] units, ModelPrice price, boolean priced, long promptTokens, long maxOutputTokens,
            long reservedNanos, long startTick, ModelHealth.Breakers breakers) {
        return new Admission(guard, id, CallKind.MODEL_CALL, decision, scope, session, null, null, hold, units, price,
                priced, promptTokens, maxOutputTokens, reservedNanos, startTick, breakers, 0, 0);
    }

    /** A model call refused at admission: it holds nothing. */
    static Admission refused(Guard guard, long id, Decision decision, GuardScope scope, long startTick) {
        return new Admission(guard, id, CallKind.MODEL_CALL, decision, scope, null, null, null, null, null, null,
                false, 0, 0, 0, startTick, null, 0, 0);
    }

    /** A tool call, admitted or refused; it holds a reservation when calls budgets count tool calls. */
    static Admission toolCall(Guard guard, long id, Decision decision, GuardScope scope, Telemetry.Tracked session,
            String tool, String arguments, long startTick, long fingerprint, Hold hold, Unit[] units,
            long priceNanos, long maxUnits) {
        return new Admission(guard, id, CallKind.TOOL_CALL, decision, scope, session, tool, arguments, hold, units,
                null, true, 0, 0, priceNanos, startTick, null, fingerprint, maxUnits);
    }

    /** @return the decision taken at admission */
    public Decision decision() {
        return decision;
    }

    /** @return true if the call may go ahead (see {@link Decision#proceeds()}) */
    public boolean proceeds() {
        return decision.proceeds();
    }

    /** @return the model to call (after any downgrade); null for a tool call */
    public String model() {
        return decision.model();
    }

    /** @return the worst-case cost reserved for the call, in nano-dollars (0 if unpriced or refused) */
    public long reservedNanos() {
        return reservedNanos;
    }

    /**
     * @return the output cap this call was reserved for: the request's own cap, else the policy's
     *     {@code defaultMaxOutputTokens}; 0 for a tool call or a refused call. A caller that sends the request
     *     must send this cap with it, so that the provider cannot bill more output than was reserved.
     */
    public long maxOutputTokens() {
        return maxOutputTokens;
    }

    /** @return false if the model has no known price */
    public boolean priced() {
        return priced;
    }

    /** @return true once the admission was settled, failed, cancelled, released, expired or refused */
    public boolean isDone() {
        return (int) STATE.getVolatile(this) != OPEN;
    }

    /** Marks the arrival of the first streamed token, for time-to-first-token. Only the first mark counts. */
    public void firstToken() {
        if (!firstTokenSeen) {
            firstTokenTick = guard.ticker().read();
            firstTokenSeen = true; // after the tick: a reader that sees the mark sees its tick
        }
    }

    /**
     * Records that the caller shortened the prompt to follow a {@link Action#TRUNCATE} decision: how many messages
     * and (estimated) tokens it dropped. The figures travel with the post event ({@link
     * DecisionEvent#droppedMessages()}, {@link DecisionEvent#droppedTokens()}); what was dropped never does. Call
     * it before settling; the last call wins.
     *
     * @param messages messages dropped, at least 0
     * @param tokens tokens dropped (as the guard's estimator counts them), at least 0
     * @throws IllegalArgumentException if a figure is negative
     */
    public void truncated(int messages, long tokens) {
        if (messages < 0 || tokens < 0) {
            throw new IllegalArgumentException("dropped messages and tokens must be >= 0, were " + messages + " and "
                    + tokens);
        }
        this.dropped = new Dropped(messages, tokens);
    }

    /** What a truncation dropped, as the caller reported it. */
    private record Dropped(int messages, long tokens) {
    }

    /**
     * Settles a successful model call with its reported usage; latency and time to first token are measured.
     *
     * @param usage what the provider reported; null is taken as all unknown
     * @return true if this call settled the admission
     */
    public boolean settle(Usage usage) {
        return end(usage, now(), 0, 0, null, -1, DecisionEvent.OK);
    }

    /**
     * Settles a successful model call with durations measured by the caller.
     *
     * @param usage what the provider reported; null is taken as all unknown
     * @param latencyNanos the call's total latency
     * @param ttftNanos time to the first token, or -1 when not streamed
     * @return true if this call settled the admission
     */
    public boolean settle(Usage usage, long latencyNanos, long ttftNanos) {
        return end(usage, Guard.NO_TICK, latencyNanos, ttftNanos, null, -1, DecisionEvent.OK);
    }

    /**
     * Settles a successful tool call; its duration is measured.
     *
     * @return true if this call settled the admission
     */
    public boolean complete() {
        return settle(Usage.NONE);
    }

    /**
     * Settles a successful tool call that reports what it used, for a tool priced per unit
     * ({@link GuardConfig.Builder#toolPrice(String, dev.agentguard.core.common.Money, long)}): it is charged
     * {@code units} times the unit price, whatever it reserved; a tool priced per call is charged its price.
     *
     * @param units the units the tool reports (pages, seconds), at least 0
     * @return true if this call settled the admission
     * @throws IllegalArgumentException if units is negative
     */
    public boolean complete(long units) {
        if (units < 0) {
            throw new IllegalArgumentException("units must be >= 0, was " + units);
        }
        return end(Usage.NONE, now(), 0, 0, null, units, DecisionEvent.OK);
    }

    /**
     * Settles a failed call: what the provider reported is counted and the rest of the reservation is given back;
     * if it reported nothing, the call is charged by {@code streaming.onCancel} (see the class comment). The error
     * is recorded.
     *
     * @param error what went wrong; its class name is the recorded outcome, and for a tool call its class and
     *     message say whether it failed "the same way" as before
     * @param partial usage reported before the failure, or null; a usage of zeros says the provider billed nothing
     *     (it refused the request)
     * @return true if this call settled the admission
     */
    public boolean fail(Throwable error, Usage partial) {
        return fail(error, partial, -1);
    }

    /**
     * Settles a failed call that had streamed some output; see {@link #fail(Throwable, Usage)}.
     *
     * @param error what went wrong
     * @param partial usage reported before the failure, or null
     * @param receivedOutputTokens output tokens received before the failure (estimated), or -1 when unknown
     * @return true if this call settled the admission
     */
    public boolean fail(Throwable error, Usage partial, long receivedOutputTokens) {
        return end(partial, now(), 0, 0, error, receivedOutputTokens, null);
    }

    /**
     * Settles a call the caller abandoned after it was sent (a stream cancelled through its handle). The provider
     * reports nothing for it, so it is charged by {@code streaming.onCancel}: its worst case, or the prompt plus
     * the output received.
     *
     * @param receivedOutputTokens output tokens received before the cancellation (estimated), at least 0
     * @return true if this call settled the admission
     */
    public boolean cancel(long receivedOutputTokens) {
        return end(Usage.NONE, now(), 0, 0, null, receivedOutputTokens, DecisionEvent.CANCELLED);
    }

    /**
     * Gives the whole reservation back without counting anything: the call was never made.
     *
     * @return true if this call settled the admission
     */
    public boolean release() {
        if (!claim()) {
            return false;
        }
        guard.release(this);
        return true;
    }

    /** Releases the admission if nothing else settled it. */
    @Override
    public void close() {
        release();
    }

    /**
     * @param endTick the guard's ticker when the call ended, which the latency and time to first token are measured
     *     from; {@link Guard#NO_TICK} when the caller measured them ({@code latencyNanos}, {@code ttftNanos})
     */
    private boolean end(Usage usage, long endTick, long latencyNanos, long ttftNanos, Throwable error, long received,
            String outcome) {
        if (endTick != Guard.NO_TICK) {
            latencyNanos = endTick - startTick;
            ttftNanos = firstTokenSeen ? firstTokenTick - startTick : -1;
        }
        Usage reported = usage == null ? Usage.NONE : usage;
        Dropped d = dropped;
        int droppedMessages = d == null ? -1 : d.messages();
        long droppedTokens = d == null ? -1 : d.tokens();
        if (!claim()) {
            if (STATE.compareAndSet(this, EXPIRED, LATE)) {
                guard.late(this, droppedMessages, droppedTokens, reported, latencyNanos, outcome != null ? outcome
                        : error == null ? "error" : error.getClass().getName());
            }
            return false;
        }
        guard.finish(this, droppedMessages, droppedTokens, reported, endTick, latencyNanos, ttftNanos, error,
                received, outcome);
        return true;
    }

    /** @return the guard's ticker now: one reading for the latency and for everything the settlement records */
    private long now() {
        return guard.ticker().read();
    }

    /** @return true if the guard's lease ended this admission now */
    boolean expire() {
        return STATE.compareAndSet(this, OPEN, EXPIRED);
    }


    private boolean claim() {
        // read first: close() after a settlement (try-with-resources) then costs no failed compare-and-set
        return (int) STATE.getVolatile(this) == OPEN && STATE.compareAndSet(this, OPEN, DONE);
    }

    @Override
    public String toString() {
        return "Admission{" + kind.id() + ", " + decision + (isDone() ? ", done" : ", open") + '}';
    }
}
