package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.GuardScope;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Attribution of AI-service calls: by request identity, per invocation, forgotten when the invocation ends. */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class AiServiceScopesTest {

    private static InvocationContext context(Object memoryId) {
        return InvocationContext.builder().invocationId(UUID.randomUUID()).interfaceName("com.acme.Bots$Support")
                .chatMemoryId(memoryId).build();
    }

    @Test
    void aRequestIsFoundByIdentityNotByEquality() {
        InvocationContext ctx = context("s1");
        ChatRequest issued = ChatRequest.builder().messages(UserMessage.from("hi")).build();
        ChatRequest equal = ChatRequest.builder().messages(UserMessage.from("hi")).build();
        assertThat(equal).isEqualTo(issued);

        AiServiceScopes.started(ctx, null);
        AiServiceScopes.issued(issued, ctx, null);

        assertThat(AiServiceScopes.forRequest(issued).session()).isEqualTo("s1");
        assertThat(AiServiceScopes.forRequest(equal)).isEqualTo(GuardScope.NONE);
        AiServiceScopes.finished(ctx);
    }

    @Test
    void theScopeIsFixedWhenTheInvocationStartsAndForgottenWhenItEnds() {
        InvocationContext ctx = context("s2");
        try (GuardScope bound = GuardScope.builder().user("u1").tenant("t1").open()) {
            AiServiceScopes.started(ctx, "configured");
        }

        GuardScope during = AiServiceScopes.forTool(ctx);
        assertThat(during.agent()).isEqualTo("configured");
        assertThat(during.session()).isEqualTo("s2");
        assertThat(during.user()).as("bound on the caller's thread at the start").isEqualTo("u1");
        assertThat(during.tenant()).isEqualTo("t1");
        assertThat(during.turn()).isEqualTo(ctx.invocationId().toString());

        AiServiceScopes.finished(ctx);

        GuardScope after = AiServiceScopes.forTool(ctx);
        assertThat(after.agent()).as("derived afresh: the interface's simple name").isEqualTo("Support");
        assertThat(after.user()).isNull();
    }

    @Test
    void withoutMemoryIdTheSessionIsTheBoundOneElseTheDefaultMemory() {
        try (GuardScope bound = GuardScope.open("bound-agent", "bound-session")) {
            assertThat(AiServiceScopes.derive(context("default"), null, GuardScope.current()).session())
                    .isEqualTo("bound-session");
            assertThat(AiServiceScopes.derive(context("s3"), null, GuardScope.current()).session()).isEqualTo("s3");
            assertThat(AiServiceScopes.derive(context("s3"), null, GuardScope.current()).agent())
                    .isEqualTo("bound-agent");
        }
        assertThat(AiServiceScopes.derive(context("default"), null, GuardScope.NONE).session()).isEqualTo("default");
        assertThat(AiServiceScopes.forMemoryId(42).session()).isEqualTo("42");
    }
}
