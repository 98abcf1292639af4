package dev.agentguard.policy;

/**
 * Where a piece of a policy file starts: the source (a path or a stream's name) and a 1-based line and column.
 */
record Mark(String source, int line, int column) {

    /** @return {@code source:line:column} */
    @Override
    public String toString() {
        return source + ":" + line + ":" + column;
    }
}
