package dev.agentguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the records of audit files one line at a time, in one pass: memory is one line and a 64 KiB buffer,
 * whatever the size of the files. A line that is not a decision record (damaged, cut short) is counted and
 * skipped; {@code agent-guard verify} says why.
 */
final class AuditReader {

    /** Receives each record; the record is reused for the next line, so keep only what you copy out of it. */
    interface RecordConsumer {
        void accept(AuditRecord record) throws IOException;
    }

    /** A line longer than this is not a record the sink wrote: it is skipped without being held in memory. */
    static final int MAX_LINE = 16 << 20;

    private final byte[] chunk = new byte[1 << 16];
    private boolean overlong;
    private int chunkPos;
    private int chunkEnd;
    private byte[] line = new byte[4096];
    private int length;
    private long lines;
    private long malformed;
    private long bytes;
    private Path firstMalformedFile;
    private long firstMalformedLine;

    /**
     * Reads every file, in order.
     *
     * @param files audit files
     * @param consumer receives each record
     * @throws IOException if a file cannot be read, or the consumer throws it
     */
    void read(List<Path> files, RecordConsumer consumer) throws IOException {
        AuditRecord record = new AuditRecord();
        for (Path f : files) {
            long lineNumber = 0;
            try (InputStream in = Files.newInputStream(f)) {
                chunkPos = chunkEnd = 0;
                while (readLine(in)) {
                    lineNumber++;
                    lines++;
                    if (length == 0 && !overlong) {
                        continue;
                    }
                    if (!overlong && record.parse(line, length)) {
                        consumer.accept(record);
                    } else {
                        if (malformed++ == 0) {
                            firstMalformedFile = f;
                            firstMalformedLine = lineNumber;
                        }
                    }
                }
            }
        }
    }

    private boolean readLine(InputStream in) throws IOException {
        length = 0;
        overlong = false;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkEnd) {
                int n = in.read(chunk);
                if (n <= 0) {
                    return any;
                }
                chunkPos = 0;
                chunkEnd = n;
                bytes += n;
            }
            any = true;
            int start = chunkPos;
            int i = start;
            while (i < chunkEnd && chunk[i] != '\n') {
                i++;
            }
            int n = i - start;
            if (length + n > MAX_LINE) {
                overlong = true;
                length = 0;
            } else if (!overlong) {
                if (length + n > line.length) {
                    line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
                }
                System.arraycopy(chunk, start, line, length, n);
                length += n;
            }
            if (i < chunkEnd) {
                chunkPos = i + 1;
                return true;
            }
            chunkPos = chunkEnd;
        }
    }

    /** @return lines read, records or not */
    long lines() {
        return lines;
    }

    /** @return bytes read, newlines included */
    long bytes() {
        return bytes;
    }

    /** @return lines that were not decision records */
    long malformed() {
        return malformed;
    }

    /** @return where the first line that was not a record is, as {@code file:line}, or null */
    String firstMalformed() {
        return firstMalformedFile == null ? null : firstMalformedFile.getFileName() + ":" + firstMalformedLine;
    }
}
