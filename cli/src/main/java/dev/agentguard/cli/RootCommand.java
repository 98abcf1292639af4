package dev.agentguard.cli;

import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top command, {@code agent-guard}: its help lists the commands and the exit status they share. */
@Command(name = "agent-guard", mixinStandardHelpOptions = true, versionProvider = AgentGuardCli.Version.class,
        description = "Checks, reports on and replays agent-guard audit files; checks a policy and its setup.",
        subcommands = {VerifyCommand.class, ReportCommand.class, ReplayCommand.class, DoctorCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:fine", "1:findings (tampering, unreadable records, changed decisions, setup problems)",
                "2:bad usage, or input that cannot be read"})
final class RootCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    private final Function<String, String> environment;

    RootCommand(Function<String, String> environment) {
        this.environment = environment;
    }

    /** @return where environment variables (an HMAC key named by {@code --key-env}) are looked up */
    Function<String, String> environment() {
        return environment;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: verify, report, replay or doctor");
    }
}
