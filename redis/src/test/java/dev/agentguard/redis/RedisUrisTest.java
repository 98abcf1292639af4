package dev.agentguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisUrisTest {

    @Test
    void userAndPasswordAreMaskedAndTheRestIsKept() {
        assertThat(RedisUris.withoutCredentials("rediss://:s3cret@cache.internal:6380/0"))
                .isEqualTo("rediss://***@cache.internal:6380/0");
        assertThat(RedisUris.withoutCredentials("redis://app:s3cret@10.0.0.5:6379"))
                .isEqualTo("redis://***@10.0.0.5:6379");
        assertThat(RedisUris.withoutCredentials("redis://127.0.0.1:6379/1")).isEqualTo("redis://127.0.0.1:6379/1");
        assertThat(RedisUris.withoutCredentials("redis-sentinel://h1:26379,h2:26379/0#mymaster"))
                .isEqualTo("redis-sentinel://h1:26379,h2:26379/0#mymaster");
    }
}
