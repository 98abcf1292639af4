package dev.agentguard.langchain4j;

import dev.agentguard.core.arch.PackageCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PackageCyclesTest {

    @Test
    void noPackageCycle() {
        PackageCycles.assertNone(Path.of("target/classes"), "dev.agentguard");
    }
}
