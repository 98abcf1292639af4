package dev.agentguard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the command line in-process, as picocli does for a user, and captures what it prints and its status. */
final class Cli {

    /** What one run printed and returned. */
    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    private Cli() {
    }

    static Run run(String... args) {
        return run(Map.of(), args);
    }

    static Run run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = AgentGuardCli.execute(args, new PrintWriter(out), new PrintWriter(err),
                AgentGuardCli.environment(environment));
        return new Run(status, out.toString(), err.toString());
    }
}
