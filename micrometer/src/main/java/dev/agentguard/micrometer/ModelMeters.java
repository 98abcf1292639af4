package dev.agentguard.micrometer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The GenAI client meters of one (guard, model): token usage by type, operation duration (one timer per
 * {@code error.type}, the empty type for calls that ended well) and time to first chunk. Built once per pair and
 * kept, so that a settled call costs a map lookup and a few histogram updates, not a registry lookup.
 */
final class ModelMeters {

    /** The convention's bucket boundaries for token counts: powers of 4 from 1 to 4^13. */
    static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
        16777216, 67108864};
    /** The convention's bucket boundaries for durations in seconds: 10 ms doubling to 81.92 s. */
    static final double[] DURATION_BUCKETS = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24,
        20.48, 40.96, 81.92};

    /** {@code gen_ai.operation.name} of a chat model call. */
    static final String OPERATION_CHAT = "chat";

    private final MeterRegistry registry;
    private final Tags tags;
    private final int maxErrorTypes;
    final DistributionSummary inputTokens;
    final DistributionSummary outputTokens;
    final Timer duration;
    final Timer timeToFirstChunk;
    private final Map<String, Timer> failed = new ConcurrentHashMap<>();

    ModelMeters(MeterRegistry registry, String guard, String provider, String model, int maxErrorTypes) {
        this.registry = registry;
        this.maxErrorTypes = maxErrorTypes;
        this.tags = Tags.of(GuardMetrics.TAG_GUARD, guard, "gen_ai.operation.name", OPERATION_CHAT,
                "gen_ai.provider.name", provider, "gen_ai.request.model", model);
        this.inputTokens = tokens("input");
        this.outputTokens = tokens("output");
        this.duration = duration("");
        this.timeToFirstChunk = Timer.builder(GuardMetrics.TIME_TO_FIRST_CHUNK)
                .description("Time from the request to the first chunk of a streamed model call's response")
                .tags(tags)
                .serviceLevelObjectives(durations())
                .register(registry);
    }

    private DistributionSummary tokens(String type) {
        return DistributionSummary.builder(GuardMetrics.TOKEN_USAGE)
                .description("Tokens used by one model call, by type (input: prompt tokens, cached ones included;"
                        + " output: generated tokens, reasoning included), as the provider reported them")
                .tags(tags)
                .tag("gen_ai.token.type", type)
                .serviceLevelObjectives(TOKEN_BUCKETS)
                .register(registry);
    }

    private Timer duration(String errorType) {
        return Timer.builder(GuardMetrics.OPERATION_DURATION)
                .description("Duration of a model call as the guard measured it, from admission to settlement;"
                        + " error.type is empty for a call that ended well, else its outcome or error class")
                .tags(tags)
                .tag("error.type", errorType)
                .serviceLevelObjectives(durations())
                .register(registry);
    }

    private static Duration[] durations() {
        Duration[] d = new Duration[DURATION_BUCKETS.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Duration.ofMillis(Math.round(DURATION_BUCKETS[i] * 1000));
        }
        return d;
    }

    /** Records a call that did not end well, under a bounded number of error types. */
    void recordFailed(String errorType, long latencyNanos) {
        Timer t = failed.get(errorType);
        if (t == null) {
            String type = failed.size() >= maxErrorTypes ? BoundedValues.OTHER : errorType;
            t = failed.computeIfAbsent(type, this::duration);
        }
        t.record(latencyNanos, TimeUnit.NANOSECONDS);
    }
}
