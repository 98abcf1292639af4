package dev.agentguard.core.pricing;

/**
 * A price feed (the genai-prices JSON or LiteLLM's {@code model_prices_and_context_window.json}) could not be read.
 *
 * <p>The message names the feed and the JSON path of the problem, e.g.
 * {@code genai-prices /tmp/data.json: $[3].models[12].prices.input_mtok: expected a non-negative number, found "cheap"},
 * so that a broken download is fixed at the right place instead of surfacing later as a wrong price.
 * It is an {@link IllegalArgumentException}: the input was wrong, not the program.
 */
public class PriceFeedException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The feed's name. */
    private final String source;
    /** Where in the feed the problem is. */
    private final String jsonPath;

    /**
     * @param source the feed's name as given to the loader (a path or the caller's name for a stream)
     * @param jsonPath where in the document the problem is, {@code $} for the whole document
     * @param problem what is wrong, one sentence
     * @param cause the underlying error, or null
     */
    public PriceFeedException(String source, String jsonPath, String problem, Throwable cause) {
        super(source + ": " + jsonPath + ": " + problem, cause);
        this.source = source;
        this.jsonPath = jsonPath;
    }

    /** @return the feed's name */
    public String source() {
        return source;
    }

    /** @return the JSON path of the problem, e.g. {@code $[3].models[12].prices} */
    public String jsonPath() {
        return jsonPath;
    }
}
