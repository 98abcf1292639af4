package dev.agentguard.langchain4j;

/**
 * How a tool priced per unit ({@code tools: { scrape_pages: { costUsd: 0.001, maxUnits: 50 } }}) tells the guard
 * what it used, from inside the tool method that a {@link GuardedToolExecutor} runs:
 *
 * <pre>{@code
 * @Tool("Reads pages of a site")
 * String scrapePages(String url) {
 *     List<Page> pages = crawler.read(url);
 *     ToolUnits.report(pages.size());   // charged 0.001 USD per page instead of the 50 pages held
 *     return summary(pages);
 * }
 * }</pre>
 *
 * Reports add up within one call (a tool may report page by page). The call is charged the units reported, even past
 * {@code maxUnits}; a call that reports nothing, or throws, is charged {@code maxUnits}, what it held. The report is
 * bound to the thread that runs the tool: a tool that hands its work to another thread reports from the tool's own
 * thread, after joining it.
 */
public final class ToolUnits {

    /** The units reported by the guarded per-unit tool call running on this thread, or null outside one. */
    private static final ThreadLocal<long[]> CURRENT = new ThreadLocal<>();

    private ToolUnits() {
    }

    /**
     * Adds to the units the running tool call is charged for.
     *
     * @param units pages, seconds, or whatever unit the policy prices the tool by; at least 0
     * @return true if a guarded call of a tool priced per unit received it; false elsewhere (a tool priced per call,
     *     or not priced, or not run by a {@link GuardedToolExecutor}), where the report changes nothing
     * @throws IllegalArgumentException if units is negative
     */
    public static boolean report(long units) {
        if (units < 0) {
            throw new IllegalArgumentException("units must be >= 0, got " + units);
        }
        long[] slot = CURRENT.get();
        if (slot == null) {
            return false;
        }
        slot[0] = slot[0] < 0 ? units : slot[0] + units;
        return true;
    }

    /**
     * Starts collecting the reports of one call on this thread.
     *
     * @return the collection that was open before (a guarded tool calling another), to give back to {@link #end}
     */
    static long[] begin() {
        long[] outer = CURRENT.get();
        CURRENT.set(new long[] {-1});
        return outer;
    }

    /**
     * Ends the collection of the call begun last on this thread and reopens the one before it.
     *
     * @param outer what {@link #begin} returned
     * @return the units reported, or -1 when none was
     */
    static long end(long[] outer) {
        long[] slot = CURRENT.get();
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
        return slot == null ? -1 : slot[0];
    }
}
