package dev.agentguard.core;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.agentguard.core.pricing.ModelPrice;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A hard budget shared by many threads whose prompts are Chinese, Japanese and Korean, sized by the estimator (no
 * count given) and settled at what OpenAI's tokenizers really count. In each round every thread is admitted
 * before any settles, as concurrent calls are; rounds go on until the budget refuses everyone. With the default
 * estimator the settled spend stays within the limit; with the old one token per three characters it does not,
 * because each call spends about twice what it reserved.
 */
class ChinesePromptBudgetTest {

    private static final int THREADS = 32;
    private static final long MAX_OUTPUT = 100;
    private static final Budget GLOBAL = Budget.builder("global").scope(Scope.GLOBAL).sliding(Duration.ofHours(1))
            .limitUsd("0.25").build();

    private static List<String> prompts() throws IOException {
        List<String> prompts = new ArrayList<>();
        for (String id : List.of("zh", "zh-Hant", "ja", "ko")) {
            prompts.add(Files.readString(TokenEstimatorCorpusTest.CORPUS.resolve(id + ".txt")));
        }
        return prompts;
    }

    /** @return what the provider reports: the larger of the o200k and cl100k counts */
    private static long realTokens(EncodingRegistry registry, String prompt) {
        return Math.max(registry.getEncoding(EncodingType.O200K_BASE).countTokensOrdinary(prompt),
                registry.getEncoding(EncodingType.CL100K_BASE).countTokensOrdinary(prompt));
    }

    /** @return the settled spend of the global budget once no call is admitted any more */
    private static long spendUntilRefused(TokenEstimator estimator) throws Exception {
        GuardConfig config = GuardConfig.builder().name("cjk").tokenEstimator(estimator)
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .budget(GLOBAL).build();
        Guard guard = Guard.builder(config).ticker(() -> 0L)
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)).build();
        EncodingRegistry registry = Encodings.newDefaultEncodingRegistry();
        List<String> prompts = prompts();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round < 1_000; round++) {
                CountDownLatch start = new CountDownLatch(1);
                CountDownLatch admitted = new CountDownLatch(THREADS);
                CountDownLatch settle = new CountDownLatch(1);
                AtomicInteger proceeded = new AtomicInteger();
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    String prompt = prompts.get(t % prompts.size());
                    long real = realTokens(registry, prompt);
                    futures.add(pool.submit(() -> {
                        start.await();
                        Admission a = guard.admitModelCall(ModelCall.builder("m")
                                .scope(GuardScope.builder().agent("support").session("s" + real).build())
                                .promptText(prompt).maxOutputTokens(MAX_OUTPUT).build());
                        admitted.countDown();
                        settle.await();
                        if (a.proceeds()) {
                            proceeded.incrementAndGet();
                            assertThat(a.settle(Usage.of(real, MAX_OUTPUT))).isTrue();
                        }
                        return null;
                    }));
                }
                start.countDown();
                assertThat(admitted.await(1, TimeUnit.MINUTES)).isTrue();
                settle.countDown();
                for (Future<?> f : futures) {
                    f.get(1, TimeUnit.MINUTES);
                }
                if (proceeded.get() == 0) {
                    assertThat(guard.ledger().openHolds()).isZero();
                    return guard.budgetUsed("global", null);
                }
            }
            throw new AssertionError("the budget never refused a call");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withTheDefaultEstimatorSettledSpendStaysWithinTheLimit() throws Exception {
        long spent = spendUntilRefused(TokenEstimator.conservative());

        assertThat(spent).isLessThanOrEqualTo(GLOBAL.limit())
                .as("the budget was used up, not left idle").isGreaterThan(GLOBAL.limit() / 2);
    }

    @Test
    void withOneTokenPerThreeCharactersItPassesTheLimit() throws Exception {
        long spent = spendUntilRefused(text -> (text.length() + 2) / 3);

        assertThat(spent).isGreaterThan(GLOBAL.limit());
    }
}
