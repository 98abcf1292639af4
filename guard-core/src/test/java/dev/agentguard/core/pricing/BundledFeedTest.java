package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentguard.core.common.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The shipped feed is the upstream snapshot, unaltered, and every model in it parses to a price. */
class BundledFeedTest {

    private static byte[] bundledBytes() throws IOException {
        try (InputStream in = BundledCatalog.resource(BundledCatalog.FEED)) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void bundledFeedIsByteIdenticalToTheSharedSnapshot() throws IOException {
        Optional<Path> shared = sharedSnapshot();
        assumeTrue(shared.isPresent(), "no shared/pricing snapshot beside this checkout (a fresh clone has none)");
        assertThat(bundledBytes()).isEqualTo(Files.readAllBytes(shared.get()));
    }

    /** The steering snapshot lives in {@code ../shared/pricing} next to the checkout; tests run in the module. */
    private static Optional<Path> sharedSnapshot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("pricing").resolve(BundledCatalog.FEED);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Test
    void bundledFeedMatchesTheChecksumOfItsProvenance() throws Exception {
        Properties snapshot = BundledCatalog.snapshot();
        assertThat(sha256(bundledBytes())).isEqualTo(snapshot.getProperty("file.sha256"));
        assertThat(snapshot.getProperty("file")).isEqualTo(BundledCatalog.FEED);
        assertThat(snapshot.getProperty("source.commit")).startsWith("47df840a");
        assertThat(snapshot.getProperty("source.date")).isEqualTo("2026-08-21");
        assertThat(snapshot.getProperty("licence")).isEqualTo("MIT");
        try (InputStream licence = BundledCatalog.resource(snapshot.getProperty("licence.file"))) {
            assertThat(new String(licence.readAllBytes(), StandardCharsets.UTF_8))
                    .contains("MIT License").contains("Pydantic");
        }
    }

    @Test
    void everyProviderAndModelOfTheFeedParsesWithAPrice() throws IOException {
        JsonNode raw;
        try (InputStream in = BundledCatalog.resource(BundledCatalog.FEED)) {
            raw = new ObjectMapper().readTree(in);
        }
        List<GenaiPricesCatalog.Provider> providers;
        try (InputStream in = BundledCatalog.resource(BundledCatalog.FEED)) {
            providers = GenaiPricesParser.parse(in, "bundled");
        }
        assertThat(providers).hasSize(raw.size());
        Usage probe = Usage.of(1000, 100, 10, 200, 20);
        for (int i = 0; i < raw.size(); i++) {
            GenaiPricesCatalog.Provider provider = providers.get(i);
            JsonNode rawModels = raw.get(i).get("models");
            assertThat(provider.id()).isEqualTo(raw.get(i).get("id").textValue());
            assertThat(provider.models()).hasSize(rawModels.size());
            for (int j = 0; j < rawModels.size(); j++) {
                GenaiPricesCatalog.Model model = provider.models().get(j);
                String where = provider.id() + "/" + model.id();
                JsonNode rawPrices = rawModels.get(j).get("prices");
                assertThat(model.prices()).as(where).hasSize(rawPrices.isArray() ? rawPrices.size() : 1);
                for (ConditionalPrice price : model.prices()) {
                    assertThat(price.price().costNanos(probe)).as(where).isPositive();
                    assertThat(price.price().worstCaseNanos(1_130, 220)).as(where)
                            .isGreaterThanOrEqualTo(price.price().costNanos(probe));
                }
            }
        }
        assertThat(providers.stream().mapToInt(p -> p.models().size()).sum()).isEqualTo(1309);
    }
}
