package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.agentguard.core.Guard;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, item 7: a message never shows a value substituted from the environment (it shows {@code ${NAME}}),
 * quotes at most a short, redacted excerpt of bad input, and {@code extends} does not read files outside the
 * policy's directory tree.
 */
class PolicyMessagesKeepSecretsTest {

    private static final String KEY = "sk-proj-Xy9Zk3Lm7Qp2Rs8Tv4Wb6Nc1Hd5Jf0Gg3Aa9Ee2Ii7";

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aRejectedValueFromTheEnvironmentShowsItsReferenceNotItsValue() {
        String yaml = "version: 1\nunknownModel: ${OPENAI_API_KEY}\ndefaultMaxOutputTokens: \"${OPENAI_API_KEY}\"\n";
        PolicyException e = catchThrowableOfType(PolicyException.class, () -> PolicyReader
                .withEnvironment(Map.of("OPENAI_API_KEY", KEY))
                .parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "p.yaml"));

        assertThat(e.getMessage()).doesNotContain(KEY).doesNotContain("Xy9Zk3Lm").contains("${OPENAI_API_KEY}");
    }

    @Test
    void aRejectedReloadDoesNotLogTheValue() throws IOException {
        Path file = write("p.yaml", "version: 1\nname: p\n");
        Guard guard = Policies.load(file);
        PolicyWatcher watcher = PolicyWatcher.builder(file, guard)
                .reader(PolicyReader.withEnvironment(Map.of("OPENAI_API_KEY", KEY))).settle(Duration.ZERO).build();
        Logger logger = (Logger) LoggerFactory.getLogger(PolicyWatcher.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            Files.writeString(file, "version: 1\nname: p\nunknownModel: ${OPENAI_API_KEY}\n");
            watcher.poll();
        } finally {
            logger.detachAppender(appender);
            guard.close();
        }

        String logged = appender.list.stream().map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.joining("\n"));
        assertThat(logged).contains("does not load").doesNotContain(KEY).contains("${OPENAI_API_KEY}");
        assertThat(watcher.lastRejection()).hasValueSatisfying(r -> assertThat(r.getMessage()).doesNotContain(KEY));
    }

    @Test
    void extendsDoesNotReadAFileOutsideThePolicysTree() throws IOException {
        write("etc/passwd", "root:x:0:0:TopSecretRootEntry:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/nologin\n");
        Path policy = write("policies/team/p.yaml", "version: 1\nextends: ../../etc/passwd\n");

        PolicyException e = catchThrowableOfType(PolicyException.class, () -> Policies.parse(policy));

        assertThat(e.getMessage()).contains("outside the directory tree").doesNotContain("TopSecretRootEntry")
                .doesNotContain("root:x");
        PolicyException allowed = catchThrowableOfType(PolicyException.class, () -> PolicyReader.systemEnvironment()
                .allowExtendsFrom(dir.resolve("etc")).parse(policy));
        assertThat(allowed.getMessage()).as("read when allowed: not a policy").contains("expected a mapping");
    }

    @Test
    void badInputIsQuotedAsAShortRedactedExcerpt() throws IOException {
        Path base = write("policies/base.yaml", KEY + " followed by a long explanation that goes on and on and on\n");
        Path policy = write("policies/p.yaml", "version: 1\nextends: base.yaml\n");

        PolicyException e = catchThrowableOfType(PolicyException.class, () -> Policies.parse(policy));

        assertThat(e.getMessage()).doesNotContain(KEY).doesNotContain("Xy9Zk3Lm").contains("[REDACTED:secret]")
                .doesNotContain("goes on and on");
        assertThat(base).exists();
    }
}
