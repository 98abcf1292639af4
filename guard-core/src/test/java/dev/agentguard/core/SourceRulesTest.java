package dev.agentguard.core;

import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * House rules that a compiler does not check, enforced over the main sources of every module: time is injected,
 * money is never floating point, and every public type says what it is.
 */
class SourceRulesTest {

    private static final Pattern RAW_TIME = Pattern.compile("System\\s*\\.\\s*(nanoTime|currentTimeMillis)\\s*\\(");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^\\s*public\\s+(?:(?:static|final|abstract|sealed|non-sealed|strictfp)\\s+)*"
                    + "(class|interface|enum|record|@interface)\\s+(\\w+)");
    private static final Pattern FLOATING = Pattern.compile("\\b(double|float|Double|Float)\\b");

    private static List<Path> sources;

    @BeforeAll
    static void collectSources() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        // modules sit at the root (guard-core) or one folder down (spring-boot/starter, examples/spring-boot)
        try (Stream<Path> modules = Files.walk(root, 2)) {
            sources = modules.filter(Files::isDirectory).map(m -> m.resolve("src/main/java"))
                    .filter(Files::isDirectory).flatMap(SourceRulesTest::javaFiles).collect(Collectors.toList());
        }
        assertThat(sources).as("main sources found from " + root).isNotEmpty()
                .anyMatch(p -> p.endsWith("Guard.java"));
    }

    private static Stream<Path> javaFiles(Path dir) {
        try {
            return Files.walk(dir).filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList()).stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void systemTimeIsReadOnlyBySystemTimeSources() {
        List<String> offenders = new ArrayList<>();
        for (Path p : sources) {
            String name = p.getFileName().toString();
            if (name.equals("SystemTicker.java")) {
                continue;
            }
            if (RAW_TIME.matcher(stripComments(read(p))).find()) {
                offenders.add(p.toString());
            }
        }
        assertThat(offenders).as("files reading System.nanoTime/currentTimeMillis: inject a Ticker or Clock").isEmpty();
    }

    @Test
    void everyPublicTypeHasJavadoc() {
        List<String> missing = new ArrayList<>();
        for (Path p : sources) {
            List<String> lines = read(p).lines().collect(Collectors.toList());
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = PUBLIC_TYPE.matcher(lines.get(i));
                if (m.find() && !javadocAbove(lines, i)) {
                    missing.add(p.getFileName() + ":" + (i + 1) + " " + m.group(2));
                }
            }
        }
        assertThat(missing).as("public types without javadoc").isEmpty();
    }

    @Test
    void everyPackageSaysWhatItHolds() {
        List<String> missing = sources.stream().map(Path::getParent).distinct()
                .filter(dir -> !Files.exists(dir.resolve("package-info.java"))).map(Path::toString).sorted()
                .collect(Collectors.toList());
        assertThat(missing).as("packages without package-info.java").isEmpty();
    }

    @Test
    void moneyAndPricesAreNeverFloatingPoint() {
        List<String> offenders = new ArrayList<>();
        for (Path p : sources) {
            String path = p.toString().replace('\\', '/');
            boolean money = path.contains("/dev/agentguard/core/pricing/") || path.endsWith("/Money.java")
                    || path.endsWith("/Usage.java") || path.endsWith("/Budget.java")
                    || path.contains("/dev/agentguard/core/ledger/");
            if (money && FLOATING.matcher(stripComments(read(p))).find()) {
                offenders.add(path);
            }
        }
        assertThat(offenders).as("money code mentioning double/float").isEmpty();
    }

    /** Walks up over annotations and blank lines to the end of a javadoc comment. */
    private static boolean javadocAbove(List<String> lines, int index) {
        for (int j = index - 1; j >= 0; j--) {
            String l = lines.get(j).trim();
            if (l.isEmpty() || l.startsWith("@")) {
                continue;
            }
            if (!l.endsWith("*/")) {
                return false;
            }
            for (int k = j; k >= 0; k--) {
                String c = lines.get(k).trim();
                if (c.startsWith("/**")) {
                    return true;
                }
                if (c.startsWith("/*")) {
                    return false;
                }
            }
            return false;
        }
        return false;
    }

    private static String stripComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}
