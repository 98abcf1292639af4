package dev.agentguard.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One Lua script: its source (with the shared functions) and its SHA-1; sent by EVALSHA, loaded again on NOSCRIPT. */
final class Scripts {

    private final String source;
    private volatile String sha;

    private Scripts(String source) {
        this.source = source;
    }

    static Scripts of(String name) {
        return new Scripts(read("common.lua") + "\n" + read(name + ".lua"));
    }

    private static String read(String resource) {
        try (InputStream in = Scripts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("script " + resource + " missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script; a server that lost its script cache (restart, SCRIPT FLUSH) gets it again once. */
    List<Object> run(RedisCommands<String, String> redis, String[] keys, String... args) {
        String digest = sha;
        if (digest == null) {
            digest = sha = redis.scriptLoad(source);
        }
        try {
            return redis.evalsha(digest, ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            sha = redis.scriptLoad(source);
            return redis.evalsha(sha, ScriptOutputType.MULTI, keys, args);
        }
    }
}
