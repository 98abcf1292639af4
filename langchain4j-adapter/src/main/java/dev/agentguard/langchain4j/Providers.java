package dev.agentguard.langchain4j;

import dev.langchain4j.model.ModelProvider;

/**
 * Which LangChain4j provider modules are on the class path, and the price-catalog id of each provider.
 *
 * <p>Provider modules are optional dependencies of the adapter. Code that names their classes lives in one holder
 * class per provider ({@link OpenAiSupport}, {@link AnthropicSupport}, {@link GeminiSupport},
 * {@link BedrockSupport}); such a holder is loaded, and so verified, only after the flag here says its module is
 * present. Nothing else in the adapter mentions a provider type, so the adapter links without any of them.
 */
final class Providers {

    static final boolean OPENAI = present("dev.langchain4j.model.openai.OpenAiTokenUsage");
    static final boolean ANTHROPIC = present("dev.langchain4j.model.anthropic.AnthropicTokenUsage");
    static final boolean GEMINI = present("dev.langchain4j.model.googleai.GoogleAiGeminiTokenUsage");
    static final boolean BEDROCK = present("dev.langchain4j.model.bedrock.BedrockTokenUsage");
    /** OpenAI's tokenizers, for {@link OpenAiTokenizer}: an optional dependency like the provider modules. */
    static final boolean JTOKKIT = present("com.knuddels.jtokkit.Encodings");

    private Providers() {
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Providers.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Maps a LangChain4j provider to its provider id in the genai-prices feed, which the price catalog expects.
     * Compared by name so that an enum constant added or removed by a later LangChain4j cannot break linking.
     *
     * @param provider the model's provider, or null
     * @return the catalog's provider id, or null when the feed has none (Ollama, custom servers): the catalog then
     *     matches the model by its name alone
     */
    static String priceProviderId(ModelProvider provider) {
        if (provider == null) {
            return null;
        }
        switch (provider.name()) {
            case "OPEN_AI":
                return "openai";
            case "AZURE_OPEN_AI":
            case "MICROSOFT_FOUNDRY":
                return "azure";
            case "ANTHROPIC":
            case "GOOGLE_VERTEX_AI_ANTHROPIC":
                return "anthropic";
            case "GOOGLE_AI_GEMINI":
            case "GOOGLE_GENAI":
            case "GOOGLE_VERTEX_AI_GEMINI":
                return "google";
            case "AMAZON_BEDROCK":
                return "aws";
            case "MISTRAL_AI":
                return "mistral";
            case "COHERE":
                return "cohere";
            default:
                return null;
        }
    }
}
