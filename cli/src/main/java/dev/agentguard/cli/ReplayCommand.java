package dev.agentguard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code agent-guard replay}: placeholder until the record carries what replay needs. */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Replays recorded calls under a candidate"
        + " policy (not available yet).", exitCodeListHeading = "%nExit status:%n", exitCodeList = {"2:not available yet"})
final class ReplayCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new AgentGuardCli.UsageException("replay is not available yet");
    }
}
