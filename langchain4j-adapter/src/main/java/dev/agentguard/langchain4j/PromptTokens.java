package dev.agentguard.langchain4j;

import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.TokenCounting;
import dev.agentguard.core.TokenEstimator;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the adapter sizes a request's prompt for the guard, per message and for the part that stays whatever
 * truncation drops (tool definitions, the reply's priming), so that admission and truncation use one figure.
 * {@link #choose} picks it per call from the guard's {@link TokenCounting} and the model's name:
 *
 * <ul>
 *   <li>OpenAI's tokenizer ({@link OpenAiTokenizer}, jtokkit) for an OpenAI model under {@code auto}, or any model
 *       under {@code openai}, when jtokkit is on the class path;</li>
 *   <li>a {@link TokenEstimator} of the application's own, over the prompt text as before (under {@code auto} and
 *       {@code conservative});</li>
 *   <li>otherwise the default estimate of {@link PromptDigest}, computed in its fingerprint loop.</li>
 * </ul>
 *
 * <p>Non-text parts are charged a bound each, {@link #nonTextPartTokens}: what OpenAI charges at most for an image
 * (48,169 tokens on gpt-4o-mini, whose image tokens are multiplied to keep its price; 3,779 on gpt-4.1-nano, 1,536
 * patches at 2.46; 1,445 on gpt-4o, 8 tiles), above Anthropic's (about 1,600) and Gemini's (258 a tile). Audio,
 * video and PDF parts are charged the same; a PDF of many pages can count more.
 */
abstract class PromptTokens {

    private static final Logger LOG = LoggerFactory.getLogger(PromptTokens.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** The most OpenAI charges for one image on any model but gpt-4o-mini (gpt-4.1-nano: 1,536 patches x 2.46). */
    static final long NON_TEXT_PART_TOKENS = 3_779;
    /** The most gpt-4o-mini charges for one image: 2,833 + 8 tiles x 5,667. */
    static final long NON_TEXT_PART_TOKENS_GPT_4O_MINI = 48_169;

    /**
     * @param digest the request's digest
     * @param messages its messages
     * @param tools its tool definitions
     * @return the prompt's tokens, or -1 to hand the guard the digest's text to estimate
     */
    abstract long request(PromptDigest digest, List<ChatMessage> messages, List<ToolSpecification> tools);

    /** @return one message's tokens, with what the provider adds around it */
    abstract long message(ChatMessage message);

    /** @return the tokens that stay whatever truncation drops: the tool definitions, the reply's priming */
    abstract long fixed(List<ToolSpecification> tools);

    /**
     * @param model the model name, for the image bound
     * @return the bound charged per non-text part
     */
    static long nonTextPartTokens(String model) {
        return model != null && model.toLowerCase(Locale.ROOT).contains("gpt-4o-mini")
                ? NON_TEXT_PART_TOKENS_GPT_4O_MINI : NON_TEXT_PART_TOKENS;
    }

    /**
     * @param config the guard's configuration
     * @param model the requested model
     * @return how to size this call's prompt
     */
    static PromptTokens choose(GuardConfig config, String model) {
        TokenCounting counting = config.tokenCounting();
        boolean ownEstimator = config.tokenEstimator() != TokenEstimator.conservative();
        boolean openAi = counting == TokenCounting.OPENAI
                || counting == TokenCounting.AUTO && !ownEstimator && isOpenAiModel(model);
        if (openAi) {
            if (Providers.JTOKKIT) {
                return OpenAiTokenizer.forModel(model);
            }
            if (counting == TokenCounting.OPENAI && WARNED.compareAndSet(false, true)) {
                LOG.warn("tokens.estimator is openai but com.knuddels:jtokkit is not on the class path: prompts are"
                        + " sized by the guard's estimator instead");
            }
        }
        return ownEstimator ? new Estimated(config.tokenEstimator(), model) : new Conservative(model);
    }

    /**
     * @param model a model name
     * @return whether it names an OpenAI chat model (gpt-*, chatgpt-*, the o-series, fine-tunes of them)
     */
    static boolean isOpenAiModel(String model) {
        if (model == null) {
            return false;
        }
        String m = model.toLowerCase(Locale.ROOT);
        if (m.startsWith("ft:")) {
            m = m.substring(3);
        }
        return m.startsWith("gpt-") || m.startsWith("chatgpt-")
                || m.length() >= 2 && m.charAt(0) == 'o' && Character.isDigit(m.charAt(1));
    }

    /** The default estimate, from the digest's single pass; per message for truncation. */
    static final class Conservative extends PromptTokens {
        private final long perPart;

        Conservative(String model) {
            this.perPart = nonTextPartTokens(model);
        }

        @Override
        long request(PromptDigest digest, List<ChatMessage> messages, List<ToolSpecification> tools) {
            return digest.estimate() + digest.nonTextParts() * perPart;
        }

        @Override
        long message(ChatMessage message) {
            return PromptDigest.estimate(message) + PromptDigest.nonTextParts(message) * perPart;
        }

        @Override
        long fixed(List<ToolSpecification> tools) {
            return PromptDigest.estimateFixed(tools);
        }
    }

    /** The application's own estimator over the prompt text, as the guard always did: no overheads added. */
    static final class Estimated extends PromptTokens {
        private final TokenEstimator estimator;
        private final long perPart;

        Estimated(TokenEstimator estimator, String model) {
            this.estimator = estimator;
            this.perPart = nonTextPartTokens(model);
        }

        @Override
        long request(PromptDigest digest, List<ChatMessage> messages, List<ToolSpecification> tools) {
            return digest.nonTextParts() == 0 ? -1
                    : estimator.estimate(digest.text()) + digest.nonTextParts() * perPart;
        }

        @Override
        long message(ChatMessage message) {
            return estimator.estimate(PromptDigest.text(message)) + PromptDigest.nonTextParts(message) * perPart;
        }

        @Override
        long fixed(List<ToolSpecification> tools) {
            return tools == null || tools.isEmpty() ? 0 : estimator.estimate(PromptDigest.of(List.of(), tools).text());
        }
    }
}
