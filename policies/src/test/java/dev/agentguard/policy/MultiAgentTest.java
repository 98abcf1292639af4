package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.agentguard.core.Caps;
import dev.agentguard.core.Guard;
import dev.agentguard.core.common.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several agents: agents: sections, directories of files, extends (files, presets, sibling agents). */
class MultiAgentTest {

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, yaml);
        return p;
    }

    private static final String SHARED = "version: 1\nmode: shadow\n"
            + "budgets:\n  - { id: session-10m, scope: session, window: 10m, limit: { costUsd: 1.00 } }\n"
            + "caps: { modelCallsPerSession: 40, toolCallsPerTurn: 20 }\n";

    @Test
    void agentsInheritTheTopLevelAndOverrideKeyByKey() throws IOException {
        Path file = write("agents.yaml", SHARED + "agents:\n"
                + "  support:\n    caps: { toolCallsPerTurn: 5 }\n"
                + "  billing:\n    name: billing-bot\n    mode: enforce\n"
                + "    budgets:\n      - { id: daily, scope: user, window: 1d, limit: { calls: 100 } }\n"
                + "  audit-free:\n    extends: support\n    caps: null\n");

        PolicySet set = Policies.parseAgents(file);

        assertThat(set.names()).containsExactly("support", "billing-bot", "audit-free");
        Policy support = set.get("support");
        assertThat(support.config().mode()).isEqualTo(Mode.SHADOW);
        assertThat(support.config().caps().toolCallsPerTurn()).isEqualTo(5);
        assertThat(support.config().caps().modelCallsPerSession()).as("merged, not replaced").isEqualTo(40);
        assertThat(support.config().budgets()).extracting(b -> b.id()).containsExactly("session-10m");

        Policy billing = set.get("billing-bot");
        assertThat(billing.config().mode()).isEqualTo(Mode.ENFORCE);
        assertThat(billing.config().budgets()).as("a list replaces").extracting(b -> b.id()).containsExactly("daily");

        Policy auditFree = set.get("audit-free");
        assertThat(auditFree.config().mode()).as("from support, from the top").isEqualTo(Mode.SHADOW);
        assertThat(auditFree.config().caps()).as("null removes what was inherited").isSameAs(Caps.NONE);
        assertThat(auditFree.name()).as("name is not inherited").isEqualTo("audit-free");
    }

    @Test
    void oneAgentOfAFileLoadsByName() throws IOException {
        Path file = write("agents.yaml", SHARED + "agents:\n  support: {}\n  billing: { mode: enforce }\n");

        Guard billing = Policies.load(file, "billing");
        assertThat(billing.config().name()).isEqualTo("billing");
        assertThat(billing.config().mode()).isEqualTo(Mode.ENFORCE);

        assertThatThrownBy(() -> Policies.load(file, "biling")).isInstanceOf(PolicyException.class)
                .hasMessageContaining("no agent 'biling'").hasMessageContaining("did you mean billing?");
        assertThatThrownBy(() -> Policies.load(file)).isInstanceOf(PolicyException.class)
                .hasMessageContaining(file + ":6:1 agents: this file defines agents [support, billing]");
        Map<String, Guard> all = Policies.loadAgents(file);
        assertThat(all).containsOnlyKeys("support", "billing");
    }

    @Test
    void aFileExtendsABaseFileRelativeToItself() throws IOException {
        write("shared/base.yaml", SHARED + "name: base\n");
        Path child = write("teams/support.yaml", "version: 1\nextends: ../shared/base.yaml\ncaps: { toolCallsPerTurn: 3 }\n");

        assertThatThrownBy(() -> Policies.parse(child)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("outside the directory tree of the policy");
        Policy p = PolicyReader.systemEnvironment().allowExtendsFrom(dir.resolve("shared")).parse(child);

        assertThat(p.name()).as("the child's file name, not the base's name").isEqualTo("support");
        assertThat(p.config().mode()).isEqualTo(Mode.SHADOW);
        assertThat(p.config().caps().toolCallsPerTurn()).isEqualTo(3);
        assertThat(p.config().caps().modelCallsPerSession()).isEqualTo(40);
        assertThat(p.files()).containsExactly(child, dir.resolve("teams/../shared/base.yaml"));
    }

    @Test
    void aFileExtendsAPreset() throws IOException {
        Path child = write("p.yaml", "version: 1\nextends: preset:starter\nname: mine\nmode: shadow\n");

        Policy p = Policies.parse(child);

        assertThat(p.name()).isEqualTo("mine");
        assertThat(p.config().mode()).isEqualTo(Mode.SHADOW);
        assertThat(p.config().budgets()).hasToString(Policies.preset("starter").config().budgets().toString());
    }

    @Test
    void aCycleOfFilesIsReportedWhereItCloses() throws IOException {
        Path a = write("a.yaml", "version: 1\nextends: b.yaml\n");
        write("b.yaml", "version: 1\nextends: c.yaml\n");
        write("c.yaml", "version: 1\nextends: a.yaml\n");

        PolicyException e = catchThrowableOfType(PolicyException.class, () -> Policies.parse(a));

        assertThat(e.problems()).hasSize(1);
        assertThat(e.getMessage()).isEqualTo(dir.resolve("c.yaml") + ":2:10 extends: extends cycle: "
                + dir.resolve("a.yaml") + " -> " + dir.resolve("b.yaml") + " -> " + dir.resolve("c.yaml") + " -> "
                + dir.resolve("a.yaml"));
    }

    @Test
    void problemsOfABaseFileAreReportedOnceWithTheirOwnLocation() throws IOException {
        write("base.yaml", "version: 1\ncaps: { toolCallPerTurn: 3 }\n");
        Path agents = write("agents.yaml", "version: 1\nextends: base.yaml\nagents:\n  a: {}\n  b: {}\n");

        PolicyException e = catchThrowableOfType(PolicyException.class, () -> Policies.parseAgents(agents));

        assertThat(e.getMessage()).isEqualTo(dir.resolve("base.yaml")
                + ":2:9 caps.toolCallPerTurn: unknown key; did you mean toolCallsPerTurn?");
    }

    @Test
    void aDirectoryIsOneAgentPerFileWithUnderscoreFilesAsBases() throws IOException {
        write("_shared.yaml", SHARED);
        write("support.yaml", "version: 1\nextends: _shared.yaml\n");
        write("billing.yml", "version: 1\nextends: _shared.yaml\nname: billing-bot\nmode: enforce\n");
        write("more.yaml", "version: 1\nagents:\n  triage: {}\n  ops: { mode: enforce }\n");
        write("notes.txt", "not a policy");

        PolicySet set = Policies.parseAgents(dir);

        assertThat(set.names()).containsExactly("billing-bot", "triage", "ops", "support");
        assertThat(set.get("support").config().mode()).isEqualTo(Mode.SHADOW);
        assertThat(set.get("ops").config().mode()).isEqualTo(Mode.ENFORCE);
    }

    @Test
    void anAgentNameDefinedTwiceInADirectoryIsAProblem() throws IOException {
        write("a.yaml", "version: 1\nname: support\n");
        write("b.yaml", "version: 1\nname: support\n");

        assertThatThrownBy(() -> Policies.parseAgents(dir)).isInstanceOf(PolicyException.class)
                .hasMessage(dir.resolve("b.yaml") + ":1:1: agent name 'support' is defined twice (also in "
                        + dir.resolve("a.yaml") + ")");
    }

    @Test
    void allProblemsOfAllFilesOfADirectoryComeTogether() throws IOException {
        write("a.yaml", "version: 1\nmode: loud\n");
        write("b.yaml", "version: 1\ncaps: 3\n");

        PolicyException e = catchThrowableOfType(PolicyException.class, () -> Policies.parseAgents(dir));

        assertThat(e.problems()).extracting(PolicyException.Problem::source)
                .containsExactly(dir.resolve("a.yaml").toString(), dir.resolve("b.yaml").toString());
    }

    @Test
    void anEmptyDirectoryOrAMissingFileIsAPolicyException() {
        assertThatThrownBy(() -> Policies.parseAgents(dir)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("holds no policy file");
        assertThatThrownBy(() -> Policies.load(dir.resolve("nope.yaml"))).isInstanceOf(PolicyException.class)
                .hasMessageStartingWith(dir.resolve("nope.yaml") + ":1:1: cannot read the file");
        assertThatThrownBy(() -> Policies.load(dir)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("is a directory");
    }
}
