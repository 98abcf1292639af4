package dev.agentguard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: the {@code audit} and {@code log} packages formed a cycle (the sink warned through the decision log's
 * logger name, the log mapped through the audit record). jdeps over the compiled classes keeps them apart: the
 * decision log may use the audit record, the audit package never the log.
 */
class AuditPackageDependenciesTest {

    @Test
    void auditDoesNotDependOnTheDecisionLog() {
        Optional<ToolProvider> jdeps = ToolProvider.findFirst("jdeps");
        assumeTrue(jdeps.isPresent(), "jdeps is not in this JDK");
        StringWriter out = new StringWriter();
        int status = jdeps.get().run(new PrintWriter(out), new PrintWriter(out), "-verbose:package",
                Path.of("target/classes").toString());
        assertThat(status).as(out.toString()).isZero();

        List<String> edges = out.toString().lines().map(String::trim)
                .filter(l -> l.startsWith("dev.agentguard.core.audit ") && l.contains("-> dev.agentguard.core.log"))
                .collect(Collectors.toList());
        assertThat(edges).as("audit -> log dependencies").isEmpty();
        assertThat(out.toString()).contains("dev.agentguard.core.log").contains("-> dev.agentguard.core.audit");
    }
}
