package dev.agentguard.langchain4j;

import dev.agentguard.core.common.Usage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;

/**
 * What a provider's error says about what it billed. A request the provider refused before generating anything
 * (bad request, authentication, unknown model, rate limit: HTTP 4xx other than 408) is billed nothing, and is
 * settled as such; any other failure (a server error, a timeout, a broken stream, a body that does not parse)
 * may have been billed in full, so the guard charges it by the policy's {@code streaming.onCancel}.
 */
final class ProviderErrors {

    private static final Usage NOTHING = Usage.of(0, 0);

    private ProviderErrors() {
    }

    /**
     * @param error what the delegate threw or reported
     * @return a usage of zeros when the provider certainly billed nothing, else null (nothing reported)
     */
    static Usage reportedUsage(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidRequestException || t instanceof AuthenticationException
                    || t instanceof ModelNotFoundException || t instanceof RateLimitException) {
                return NOTHING;
            }
            if (t instanceof HttpException) {
                int status = ((HttpException) t).statusCode();
                return status >= 400 && status < 500 && status != 408 ? NOTHING : null;
            }
        }
        return null;
    }
}
