package dev.agentguard.core.pricing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The genai-prices snapshot shipped in this jar ({@code genai-prices-v2-data_slim.json}, MIT licence in
 * {@code LICENSE-genai-prices}, provenance in {@code snapshot.properties}), parsed on first use and then shared:
 * the holder idiom makes the parse lazy and thread-safe without a lock on the read path.
 */
final class BundledCatalog {

    static final String FEED = "genai-prices-v2-data_slim.json";
    static final String SNAPSHOT = "snapshot.properties";

    private BundledCatalog() {
    }

    static PriceCatalog get() {
        return Holder.CATALOG;
    }

    /** @return e.g. {@code genai-prices 47df840a (2026-08-21)} */
    static String source(Properties snapshot) {
        String commit = snapshot.getProperty("source.commit", "unknown");
        return snapshot.getProperty("source.name", "genai-prices") + " "
                + commit.substring(0, Math.min(8, commit.length()))
                + " (" + snapshot.getProperty("source.date", "undated") + ")";
    }

    static Properties snapshot() {
        Properties properties = new Properties();
        try (InputStream in = resource(SNAPSHOT)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled " + SNAPSHOT, e);
        }
        return properties;
    }

    static InputStream resource(String name) {
        InputStream in = BundledCatalog.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("the bundled price resource " + name + " is missing from the classpath");
        }
        return in;
    }

    private static final class Holder {
        static final PriceCatalog CATALOG = load();

        private static PriceCatalog load() {
            try (InputStream in = resource(FEED)) {
                return PriceCatalog.fromGenaiPrices(in, source(snapshot()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the bundled " + FEED, e);
            }
        }
    }
}
