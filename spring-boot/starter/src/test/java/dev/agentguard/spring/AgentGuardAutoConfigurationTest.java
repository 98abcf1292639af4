package dev.agentguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.langchain4j.GuardBlockedException;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.langchain4j.GuardedStreamingChatModel;
import dev.agentguard.micrometer.GuardMetrics;
import dev.agentguard.opentelemetry.GuardTracing;
import dev.agentguard.policy.PolicyException;
import dev.agentguard.spring.actuate.AgentGuardEndpoint;
import dev.agentguard.spring.actuate.Boot3HealthIndicator;
import dev.agentguard.spring.actuate.GuardHealth;
import dev.agentguard.spring.web.GuardProblemAdvice;
import dev.agentguard.spring.web.GuardScopeFilter;
import dev.agentguard.spring.web.GuardScopeWebFilter;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Every condition of the starter, on a context built for each case. */
class AgentGuardAutoConfigurationTest {

    private static final AutoConfigurations STARTER = AutoConfigurations.of(AgentGuardAutoConfiguration.class,
            AgentGuardModelsAutoConfiguration.class, AgentGuardWebAutoConfiguration.class,
            AgentGuardActuatorAutoConfiguration.class, AgentGuardMetricsAutoConfiguration.class,
            AgentGuardTracingAutoConfiguration.class);

    private static final String POLICY = "agent-guard.policy=classpath:policies/test.yaml";

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(STARTER);

    @Configuration(proxyBeanMethods = false)
    static class Models {
        @Bean
        ChatModel chatModel() {
            return TestModels.chat();
        }

        @Bean
        ChatModel rawModel() {
            return TestModels.chat();
        }

        @Bean
        StreamingChatModel streamingModel() {
            return TestModels.streaming();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnGuard {
        @Bean
        Guard myGuard() {
            return Guard.of(GuardConfig.builder().name("mine").build());
        }
    }

    @Test
    void withoutAPolicyThereIsNoGuardAndNothingIsWrapped() {
        runner.withUserConfiguration(Models.class).run(ctx -> {
            assertThat(ctx).hasNotFailed().doesNotHaveBean(Guard.class)
                    .doesNotHaveBean(GuardingBeanPostProcessor.class).doesNotHaveBean(GuardedAiServicesFactory.class)
                    .doesNotHaveBean(AgentGuardEndpoint.class).doesNotHaveBean(GuardHealth.class);
            assertThat(ctx.getBean("chatModel")).isNotInstanceOf(GuardedChatModel.class);
        });
    }

    @Test
    void aClasspathPolicyMakesTheGuardAndEveryModelBeanIsWrapped() {
        runner.withUserConfiguration(Models.class).withPropertyValues(POLICY).run(ctx -> {
            assertThat(ctx).hasSingleBean(Guard.class).hasSingleBean(GuardedAiServicesFactory.class);
            Guard guard = ctx.getBean(Guard.class);
            assertThat(guard.config().name()).isEqualTo("starter-test");
            assertThat(ctx.getBean("chatModel")).isInstanceOf(GuardedChatModel.class);
            assertThat(((GuardedChatModel) ctx.getBean("chatModel")).guard()).isSameAs(guard);
            assertThat(ctx.getBean("streamingModel")).isInstanceOf(GuardedStreamingChatModel.class);
            // a classpath policy cannot change: nothing watches it
            assertThat(ctx.getBean(PolicyReloader.class).watcher()).isNull();
        });
    }

    @Test
    void aWrappedModelIsRefusedOnceTheSessionBudgetIsSpent() {
        runner.withUserConfiguration(Models.class).withPropertyValues(POLICY).run(ctx -> {
            ChatModel model = ctx.getBean("chatModel", ChatModel.class);
            int answered = 0;
            GuardBlockedException refused = null;
            try (GuardScope s = GuardScope.open("test", "s-1")) {
                for (int i = 0; i < 100 && refused == null; i++) {
                    try {
                        model.chat("hello " + "x".repeat(2_000));
                        answered++;
                    } catch (GuardBlockedException e) {
                        refused = e;
                    }
                }
            }
            assertThat(answered).isPositive();
            assertThat(refused).isNotNull();
            assertThat(refused.decision().rule()).isEqualTo("budgets.session-1h");
        });
    }

    @Test
    void customizersShapeTheGuardBeforeItIsBuilt() {
        java.util.List<dev.agentguard.core.DecisionEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.agentguard.core.DecisionListener listener = seen::add;
        runner.withPropertyValues(POLICY)
                .withBean(GuardBuilderCustomizer.class, () -> builder -> builder.listener(listener))
                .run(ctx -> {
                    Guard guard = ctx.getBean(Guard.class);
                    assertThat(guard.listeners()).contains(listener);
                    guard.admin().stopSession("s-3", "ops", "customizer test");
                    assertThat(seen).isNotEmpty();
                });
    }

    @Test
    void aModelBeanCanBeLeftUnguardedByName() {
        runner.withUserConfiguration(Models.class).withPropertyValues(POLICY, "agent-guard.wrap.exclude=rawModel")
                .run(ctx -> {
                    assertThat(ctx.getBean("chatModel")).isInstanceOf(GuardedChatModel.class);
                    assertThat(ctx.getBean("rawModel")).isNotInstanceOf(GuardedChatModel.class);
                });
        runner.withUserConfiguration(Models.class).withPropertyValues(POLICY, "agent-guard.wrap.enabled=false")
                .run(ctx -> assertThat(ctx.getBean("chatModel")).isNotInstanceOf(GuardedChatModel.class));
    }

    @Test
    void disabledTurnsEverythingOff() {
        runner.withUserConfiguration(Models.class).withPropertyValues(POLICY, "agent-guard.enabled=false")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().doesNotHaveBean(Guard.class)
                            .doesNotHaveBean(AgentGuardProperties.class)
                            .doesNotHaveBean(GuardingBeanPostProcessor.class);
                    assertThat(ctx.getBean("chatModel")).isNotInstanceOf(GuardedChatModel.class);
                });
        // even the application's own guard is not wired in
        runner.withUserConfiguration(Models.class, OwnGuard.class).withPropertyValues("agent-guard.enabled=false")
                .run(ctx -> assertThat(ctx.getBean("chatModel")).isNotInstanceOf(GuardedChatModel.class));
    }

    @Test
    void theApplicationsOwnGuardWins() {
        runner.withUserConfiguration(Models.class, OwnGuard.class).withPropertyValues(POLICY).run(ctx -> {
            assertThat(ctx).hasSingleBean(Guard.class).doesNotHaveBean(PolicyReloader.class);
            Guard guard = ctx.getBean(Guard.class);
            assertThat(guard.config().name()).isEqualTo("mine");
            assertThat(((GuardedChatModel) ctx.getBean("chatModel")).guard()).isSameAs(guard);
            assertThat(ctx.getBean(GuardedAiServicesFactory.class).guard()).isSameAs(guard);
        });
    }

    @Test
    void aPolicyThatDoesNotLoadFailsTheStartWithItsProblems() {
        runner.withPropertyValues("agent-guard.policy=classpath:policies/missing.yaml").run(ctx ->
                assertThat(ctx).getFailure().rootCause().hasMessageContaining("no policy at classpath:policies/missing.yaml"));
        runner.withPropertyValues("agent-guard.policy=classpath:policies/broken.yaml").run(ctx ->
                assertThat(ctx).getFailure().rootCause().isInstanceOf(PolicyException.class)
                        .hasMessageContaining("broken.yaml"));
    }

    @Test
    void aFilePolicyIsWatchedAndTheGuardIsClosedWithTheContext(@TempDir Path dir) throws IOException {
        Path policy = dir.resolve("guard.yaml");
        Path audit = dir.resolve("audit.jsonl");
        Files.writeString(policy, Files.readString(Path.of("src/test/resources/policies/test.yaml"))
                + "audit:\n  file: " + audit.toAbsolutePath() + "\n");
        AuditSink[] sink = new AuditSink[1];
        runner.withPropertyValues("agent-guard.policy=file:" + policy.toAbsolutePath()).run(ctx -> {
            PolicyReloader reloader = ctx.getBean(PolicyReloader.class);
            assertThat(reloader.watcher()).isNotNull();
            assertThat(reloader.watcher().watchedFiles()).contains(policy.toAbsolutePath());
            sink[0] = ctx.getBean(Guard.class).listeners().stream().filter(AuditSink.class::isInstance)
                    .map(AuditSink.class::cast).findFirst().orElseThrow();
            assertThat(ctx.getBean(GuardHealth.class).check().up()).isTrue();
            ctx.getBean(Guard.class).admin().stopSession("s-9", "ops", "a decision for the audit file");
        });
        assertThat(sink[0].flush()).as("the audit sink is closed with the context").isFalse();
        assertThat(Files.readString(audit)).as("drained at close").contains("admin.stop");
        runner.withPropertyValues("agent-guard.policy=file:" + policy.toAbsolutePath(), "agent-guard.reload=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(PolicyReloader.class));
    }

    @Test
    void metricsAreBoundWhenTheModuleAndARegistryArePresent() {
        runner.withPropertyValues(POLICY).withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(ctx -> {
            assertThat(ctx).hasSingleBean(GuardMetrics.class);
            assertThat(ctx.getBean(MeterRegistry.class).find(GuardMetrics.RESERVATIONS_OPEN).gauge()).isNotNull();
        });
        runner.withPropertyValues(POLICY).run(ctx -> assertThat(ctx).doesNotHaveBean(GuardMetrics.class));
        runner.withPropertyValues(POLICY, "agent-guard.metrics.enabled=false")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(ctx -> assertThat(ctx).doesNotHaveBean(GuardMetrics.class));
        runner.withPropertyValues(POLICY).withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withClassLoader(new FilteredClassLoader("dev.agentguard.micrometer"))
                .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(Guard.class)
                        .doesNotHaveBean("agentGuardMetrics"));
    }

    @Test
    void tracingIsInstalledWhenTheModuleAndOpenTelemetryArePresent() {
        OpenTelemetry otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build()).build();
        runner.withPropertyValues(POLICY).withBean(OpenTelemetry.class, () -> otel).run(ctx -> {
            assertThat(ctx).hasSingleBean(GuardTracing.class);
            assertThat(ctx.getBean(GuardTracing.class).tracesDecorators()).isTrue();
        });
        runner.withPropertyValues(POLICY).run(ctx -> assertThat(ctx).doesNotHaveBean(GuardTracing.class));
        runner.withPropertyValues(POLICY).withBean(OpenTelemetry.class, () -> otel)
                .withClassLoader(new FilteredClassLoader("dev.agentguard.opentelemetry"))
                .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(Guard.class)
                        .doesNotHaveBean("agentGuardTracing"));
    }

    @Test
    void withoutTheActuatorOrRedisTheRestStillWorks() {
        runner.withUserConfiguration(Models.class).withPropertyValues(POLICY)
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "dev.agentguard.redis"))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(Guard.class).doesNotHaveBean("agentGuardEndpoint")
                            .doesNotHaveBean("agentguardHealthIndicator");
                    assertThat(ctx.getBean("chatModel")).isInstanceOf(GuardedChatModel.class);
                });
        runner.withPropertyValues(POLICY).withClassLoader(new FilteredClassLoader("dev.agentguard.redis"))
                .run(ctx -> assertThat(ctx.getBean(GuardHealth.class).check().up()).isTrue());
    }

    @Test
    void onBoot3TheHealthIndicatorIsTheBoot3One() {
        runner.withPropertyValues(POLICY, "management.endpoints.web.exposure.include=agentguard").run(ctx -> {
            assertThat(ctx).hasSingleBean(Boot3HealthIndicator.class).hasSingleBean(AgentGuardEndpoint.class);
            assertThat(ctx.getBean(Boot3HealthIndicator.class).health().getStatus().getCode()).isEqualTo("UP");
            assertThat(ctx.getBean(Boot3HealthIndicator.class).health().getDetails())
                    .containsEntry("guard", "starter-test").containsEntry("ledger.reachable", true);
        });
        runner.withPropertyValues(POLICY, "management.health.agentguard.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(Boot3HealthIndicator.class));
        runner.withPropertyValues(POLICY, "management.endpoints.web.exposure.include=agentguard",
                        "management.endpoint.agentguard.access=NONE")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(AgentGuardEndpoint.class));
    }

    @Test
    void theServletFilterAndProblemsComeWithAServletApplication() {
        new WebApplicationContextRunner().withConfiguration(STARTER).withPropertyValues(POLICY).run(ctx ->
                assertThat(ctx).hasSingleBean(GuardScopeFilter.class).hasSingleBean(GuardProblemAdvice.class)
                        .doesNotHaveBean(GuardScopeWebFilter.class));
        new WebApplicationContextRunner().withConfiguration(STARTER)
                .withPropertyValues(POLICY, "agent-guard.web.problem-details=false", "agent-guard.web.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(GuardProblemAdvice.class)
                        .doesNotHaveBean(GuardScopeFilter.class));
    }

    @Test
    void theWebFluxFilterComesOnlyWithAReactiveApplication() {
        new ReactiveWebApplicationContextRunner().withConfiguration(STARTER).withPropertyValues(POLICY).run(ctx ->
                assertThat(ctx).hasSingleBean(GuardScopeWebFilter.class).hasSingleBean(GuardProblemAdvice.class)
                        .doesNotHaveBean(GuardScopeFilter.class));
        runner.withPropertyValues(POLICY).run(ctx -> assertThat(ctx).doesNotHaveBean(GuardScopeWebFilter.class)
                .doesNotHaveBean(GuardScopeFilter.class).doesNotHaveBean(GuardProblemAdvice.class));
        new ReactiveWebApplicationContextRunner().withConfiguration(STARTER).withPropertyValues(POLICY)
                .withClassLoader(new FilteredClassLoader("org.springframework.web.server.WebFilter"))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(GuardScopeWebFilter.class));
    }
}
