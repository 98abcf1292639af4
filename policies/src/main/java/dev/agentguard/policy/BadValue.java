package dev.agentguard.policy;

/**
 * A value that cannot be converted to what its key needs; the binder reports it at {@link #at()} and goes on with
 * the rest of the file.
 */
final class BadValue extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Node at;

    /**
     * @param at the offending value
     * @param message what was expected and what was found
     */
    BadValue(Node at, String message) {
        super(message, null, false, false);
        this.at = at;
    }

    /** @return the offending value */
    Node at() {
        return at;
    }
}
