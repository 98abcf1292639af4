package dev.agentguard.cli;

import java.util.List;

/**
 * What a report was read from: the audit sets, how much was read, and the lines that were not records.
 *
 * @param sets the sets' active files, as given
 * @param lines lines read
 * @param bytes bytes read
 * @param malformed lines that were not decision records
 * @param firstMalformed {@code file:line} of the first of them, or null
 */
record ReportInputs(List<String> sets, long lines, long bytes, long malformed, String firstMalformed) {
}
