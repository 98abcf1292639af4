package dev.agentguard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code agent-guard doctor}: placeholder. */
@Command(name = "doctor", mixinStandardHelpOptions = true, description = "Checks a policy and its setup (not"
        + " available yet).", exitCodeListHeading = "%nExit status:%n", exitCodeList = {"2:not available yet"})
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new AgentGuardCli.UsageException("doctor is not available yet");
    }
}
