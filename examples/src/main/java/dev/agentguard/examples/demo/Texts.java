package dev.agentguard.examples.demo;

/** The made-up material the demo's users send: log excerpts, report chunks, research notes. Deterministic. */
final class Texts {

    private Texts() {
    }

    /**
     * @param part which excerpt, from 1
     * @return about 1,600 characters (400 tokens) of an application log
     */
    static String logExcerpt(int part) {
        StringBuilder b = new StringBuilder("Here is part ").append(part)
                .append(" of the checkout service log; what went wrong?\n");
        for (int i = 0; i < 11; i++) {
            int second = (part * 11 + i) % 60;
            b.append(String.format("2026-11-23T09:%02d:%02dZ WARN [pool-%d] HikariPool-1 - Connection is not "
                    + "available, request timed out after 30000ms (active=10, waiting=%d)%n", 10 + part, second,
                    i % 4, 20 + part * 3 + i));
        }
        return b.toString();
    }

    /**
     * @param chunk which chunk, from 1
     * @return about 6,400 characters (1,600 tokens) of a quarterly report to summarise
     */
    static String reportChunk(int chunk) {
        StringBuilder b = new StringBuilder("Summarise section ").append(chunk)
                .append(" of the Q3 operations report in three bullet points:\n");
        String[] regions = {"north", "south", "east", "west"};
        for (int i = 0; b.length() < 4_000; i++) {
            b.append(String.format("Region %s, week %d: %d orders shipped, %d returned, on-time rate %d%%, "
                    + "%d support tickets (median first response %d minutes).%n", regions[i % 4],
                    (chunk * 7 + i) % 13 + 1, 1_200 + chunk * 31 + i * 17, 30 + i % 9, 88 + i % 11,
                    140 + chunk + i, 12 + i % 7));
        }
        return b.toString();
    }

    /**
     * @param session which research session
     * @param step which step of it
     * @return about 6,000 characters (1,500 tokens) of research notes
     */
    static String researchNote(int session, int step) {
        StringBuilder b = new StringBuilder("Add these findings to the literature review (session ")
                .append(session).append(", step ").append(step).append("):\n");
        for (int i = 0; b.length() < 3_600; i++) {
            b.append(String.format("Paper %d-%d-%d reports a %d%% reduction in tail latency with adaptive "
                    + "batching on %d-node clusters, measured over %d runs.%n", session, step, i, 5 + i % 40,
                    4 << (i % 5), 10 + i));
        }
        return b.toString();
    }
}
