package dev.agentguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report opened in a real headless browser (Debian's {@code chromium}): the DOM it builds has the charts,
 * the screenshot is not blank and shows the charts' colours, and the page logs nothing to the console.
 *
 * <p>Without chromium the test is skipped with a message naming the package, unless {@code -Dagentguard.servers=
 * required} (as CI runs it), when a missing browser fails the build.
 */
class HtmlReportBrowserIT {

    private static final long TIMEOUT_SECONDS = 90;

    @TempDir
    static Path dir;

    private static Path chromium;
    private static String missing;
    private static Path report;

    @BeforeAll
    static void findBrowserAndRender() {
        // agentguard.chromium: another executable name, e.g. to see the test skip or fail without a browser
        Optional<Path> found = onPath(System.getProperty("agentguard.chromium", "chromium"));
        if (found.isEmpty()) {
            String message = "chromium is not on the PATH: install the Debian package 'chromium' (apt-get install -y"
                    + " chromium), as .ci/run does";
            if ("required".equals(System.getProperty("agentguard.servers"))) {
                fail(message + " (-Dagentguard.servers=required)");
            }
            missing = message;
            System.err.println("SKIPPED HtmlReportBrowserIT: " + message);
            return;
        }
        chromium = found.get();
        RecordedRun run = RecordedRun.demo(dir.resolve("logs/agent-guard-audit.jsonl"));
        report = dir.resolve("report.html");
        Cli.Run r = Cli.run("report", "--out", report.toString(), run.auditFile.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(0);
    }

    @BeforeEach
    void needsTheBrowser() {
        Assumptions.assumeTrue(missing == null, missing);
    }

    private static Optional<Path> onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** What one browser run printed. */
    private record Browser(int status, String stdout, List<String> console) {
    }

    private static Browser chromium(String tag, Path page, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=" + dir.resolve("profile-" + tag), "--enable-logging=stderr", "--v=0"));
        command.addAll(List.of(args));
        command.add(page.toUri().toString());
        Path out = dir.resolve(tag + ".out");
        Path err = dir.resolve(tag + ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
            }
        } finally {
            p.destroyForcibly();
        }
        List<String> console = new ArrayList<>();
        for (String line : Files.readAllLines(err, StandardCharsets.UTF_8)) {
            if (line.contains(":CONSOLE")) {
                console.add(line);
            }
        }
        return new Browser(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), console);
    }

    @Test
    void theConsoleCheckSeesAPageError() throws Exception {
        // the check below is only worth something if it sees an error when there is one
        Path bad = dir.resolve("bad.html");
        Files.writeString(bad, "<!DOCTYPE html><html><body><p>x</p><script>console.error('seen-by-the-test');"
                + " notDefined();</script></body></html>");

        Browser b = chromium("bad", bad, "--dump-dom");

        assertThat(b.console()).anyMatch(l -> l.contains("seen-by-the-test"))
                .anyMatch(l -> l.contains("notDefined is not defined"));
    }

    @Test
    void theRenderedPageHasItsChartsAndNoConsoleMessage() throws Exception {
        Browser b = chromium("dom", report, "--dump-dom");

        assertThat(b.status()).isZero();
        assertThat(b.console()).as("console messages of the report").isEmpty();
        Document dom = Jsoup.parse(b.stdout());
        for (String chart : new String[] {"chart-spend-agent", "chart-spend-model", "chart-actions", "chart-refusals",
            "chart-latency"}) {
            assertThat(dom.select("svg#" + chart + " rect")).as(chart).isNotEmpty();
        }
        assertThat(dom.select("#costliest tr")).hasSizeGreaterThan(1);
    }

    @Test
    void theScreenshotIsNotBlankAndShowsTheCharts() throws Exception {
        Path png = dir.resolve("report.png");

        Browser b = chromium("shot", report, "--screenshot=" + png, "--window-size=1100,1400",
                "--hide-scrollbars");

        assertThat(b.status()).isZero();
        assertThat(b.console()).isEmpty();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a PNG at " + png).isNotNull();
        long inked = 0;
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                if (rgb != 0xffffff) {
                    inked++;
                }
                colours.add(rgb);
            }
        }
        long pixels = (long) image.getWidth() * image.getHeight();
        assertThat(inked).as("pixels that are not white").isGreaterThan(pixels / 20);
        // the charts' colours: the first series (blue) and the allow bars (green) are drawn
        assertThat(colours).contains(0x4e79a7, 0x59a14f);
    }
}
