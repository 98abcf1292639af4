package dev.agentguard.redis;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a Redis URI may be shown (a console, a doctor's report pasted into a ticket, an error message): with its user
 * and password, which {@code redis://user:password@host} and {@code rediss://:password@host} carry, masked.
 */
public final class RedisUris {

    /** The user-info part of a URI: everything between {@code //} and the first {@code @} of its authority. */
    private static final Pattern USER_INFO = Pattern.compile("//[^/@]*@");

    private RedisUris() {
    }

    /**
     * @param uri a Redis URI as written (a policy's {@code ledger.redis.uri}, {@code REDIS_URL})
     * @return the URI with any user and password replaced by {@code ***}; the same text when it has none
     */
    public static String withoutCredentials(String uri) {
        Objects.requireNonNull(uri, "uri");
        return USER_INFO.matcher(uri).replaceAll("//***@");
    }
}
