package dev.agentguard.benchmarks;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.agentguard.core.TokenEstimator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The default estimate against OpenAI's tokenizers on the multilingual corpus that {@code TokenEstimatorCorpusTest}
 * holds it to ({@code guard-core/src/test/resources/dev/agentguard/core/tokens}): one line per sample with its
 * characters, the o200k and cl100k counts, the default estimate and the former one (three characters a token).
 * {@code Report} turns the lines into a table with the ratios.
 *
 * <p>Usage: {@code TokenRatios <corpus directory>}; prints {@code sample chars o200k cl100k estimate former}.
 */
public final class TokenRatios {

    private TokenRatios() {
    }

    /**
     * @param args the corpus directory
     * @throws IOException if it cannot be read
     */
    public static void main(String[] args) throws IOException {
        EncodingRegistry registry = Encodings.newDefaultEncodingRegistry();
        Encoding o200k = registry.getEncoding(EncodingType.O200K_BASE);
        Encoding cl100k = registry.getEncoding(EncodingType.CL100K_BASE);
        List<Path> samples;
        try (Stream<Path> files = Files.list(Path.of(args[0]))) {
            samples = files.filter(p -> p.toString().endsWith(".txt") && !p.endsWith("README.txt")).sorted()
                    .collect(Collectors.toList());
        }
        for (Path p : samples) {
            String text = Files.readString(p);
            System.out.println(p.getFileName().toString().replace(".txt", "") + " " + text.length() + " "
                    + o200k.countTokensOrdinary(text) + " " + cl100k.countTokensOrdinary(text) + " "
                    + TokenEstimator.conservative().estimate(text) + " " + (text.length() + 2) / 3);
        }
    }
}
