package dev.agentguard.core.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Names of the files of one audit set. The active file is the configured path, e.g.
 * {@code logs/agent-guard-audit.jsonl}; a rotated file is renamed to {@code agent-guard-audit.2026-03-02.1.jsonl}
 * (the day it was started, then a counter within the day); the head, {@code agent-guard-audit.jsonl.head}, seals
 * the end of the chain.
 *
 * <p>Public for the tools that read audit files (the {@code agent-guard} command line); the writer's helpers
 * stay package-private.
 */
public final class AuditFiles {

    private AuditFiles() {
    }

    /** The name without its last extension, and the extension with its dot (or empty). */
    private static String[] split(Path active) {
        String name = active.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? new String[] {name, ""} : new String[] {name.substring(0, dot), name.substring(dot)};
    }

    static Path rotatedName(Path active, LocalDate day, int index) {
        String[] p = split(active);
        return active.resolveSibling(p[0] + '.' + day + '.' + index + p[1]);
    }

    /**
     * @param active the configured audit file
     * @return the head file that seals the end of its chain (which may not exist)
     */
    public static Path head(Path active) {
        return active.resolveSibling(active.getFileName() + ".head");
    }

    /** A rotated file with its day and counter. */
    static final class Rotated {
        final Path path;
        final LocalDate day;
        final int index;

        Rotated(Path path, LocalDate day, int index) {
            this.path = path;
            this.day = day;
            this.index = index;
        }
    }

    /** @return the rotated files of the set, oldest first (by day, then counter) */
    static List<Rotated> rotated(Path active) {
        String[] p = split(active);
        Pattern name = Pattern.compile(Pattern.quote(p[0]) + "\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d{1,9})"
                + Pattern.quote(p[1]));
        Path dir = active.toAbsolutePath().getParent();
        List<Rotated> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                Matcher m = name.matcher(f.getFileName().toString());
                if (m.matches()) {
                    try {
                        out.add(new Rotated(active.resolveSibling(f.getFileName()), LocalDate.parse(m.group(1)),
                                Integer.parseInt(m.group(2))));
                    } catch (DateTimeParseException ignored) {
                        // 2026-13-45: not one of ours
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.<Rotated, LocalDate>comparing(r -> r.day).thenComparingInt(r -> r.index));
        return out;
    }

    /**
     * @param active the configured audit file
     * @return the files of its set in chain order: rotated files (oldest first), then the active file if it exists
     * @throws UncheckedIOException if its directory cannot be listed
     */
    public static List<Path> set(Path active) {
        List<Path> files = new ArrayList<>();
        for (Rotated r : rotated(active)) {
            files.add(r.path);
        }
        if (Files.exists(active)) {
            files.add(active);
        }
        return files;
    }

    /**
     * The audit sets in a directory, each named by its active file: every regular file that is not a head, a
     * lock or hidden, with rotated files standing for their active file (which may be gone: its set is then its rotated
     * files). Sorted by name. Whether a file holds audit records is not checked.
     *
     * @param dir a directory
     * @return the active files, which may not exist
     * @throws UncheckedIOException if the directory cannot be listed
     */
    public static List<Path> activeFiles(Path dir) {
        Pattern rotated = Pattern.compile("(.+)\\.\\d{4}-\\d{2}-\\d{2}\\.\\d{1,9}(\\.[^.]*)?");
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                String name = f.getFileName().toString();
                if (name.endsWith(".head") || name.endsWith(".lock") || name.startsWith(".")) {
                    return;
                }
                Matcher m = rotated.matcher(name);
                names.add(m.matches() ? m.group(1) + (m.group(2) == null ? "" : m.group(2)) : name);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> out = new ArrayList<>();
        for (String n : names) {
            out.add(dir.resolve(n));
        }
        return out;
    }

    /**
     * Whether a path can be an audit file to append to: absent, empty, or a file whose first line is a chained
     * audit record (or, if it has no complete line yet, starts like one). Reads at most the first line.
     *
     * @param file the configured audit file
     * @return null if it can, else what it is instead (a directory, another kind of file, unreadable)
     */
    static String notAnAuditFile(Path file) {
        if (Files.isDirectory(file)) {
            return "is a directory; name a file in it, e.g. " + file.resolve("agent-guard-audit.jsonl");
        }
        if (!Files.exists(file)) {
            return null;
        }
        if (!Files.isRegularFile(file)) {
            return "is not a regular file";
        }
        byte[] first = new byte[1 << 16];
        int n = 0;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            int r;
            while (n < first.length && (r = in.read(first, n, first.length - n)) > 0) {
                n += r;
            }
        } catch (IOException e) {
            return "cannot be read (" + e.getClass().getSimpleName() + ")";
        }
        if (n == 0) {
            return null;
        }
        int nl = 0;
        while (nl < n && first[nl] != '\n') {
            nl++;
        }
        boolean complete = nl < n;
        boolean chained = complete ? AuditLine.parse(first, nl) != null
                : new String(first, 0, Math.min(n, 8), StandardCharsets.US_ASCII).startsWith("{\"seq\":");
        return chained ? null : "exists and is not an audit file (its first line is not a chained audit record);"
                + " name a new file, or move this one away";
    }

    /** What a writer resuming a file needs: line count, where the last complete line ends, its bytes. */
    static final class Tail {
        long lines;
        long size;
        long completeBytes;
        byte[] lastLine;
        byte[] firstLine;

        /** @return the day of the first record's {@code ts} in the zone, or null if it has none */
        LocalDate firstDay(ZoneId zone) {
            if (firstLine == null) {
                return null;
            }
            String text = new String(firstLine, StandardCharsets.UTF_8);
            int at = text.indexOf("\"ts\":\"");
            int end = at < 0 ? -1 : text.indexOf('"', at + 6);
            try {
                return end < 0 ? null : LocalDate.ofInstant(Instant.parse(text.substring(at + 6, end)), zone);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /** Reads a file once: counts its complete lines and keeps its first and last complete line. */
    static Tail tail(Path file) throws IOException {
        Tail t = new Tail();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long pos = 0;
            long lastNl = -1;
            long prevNl = -1;
            int n;
            while ((n = ch.read(buf)) > 0) {
                byte[] a = buf.array();
                for (int i = 0; i < n; i++) {
                    if (a[i] == '\n') {
                        t.lines++;
                        prevNl = lastNl;
                        lastNl = pos + i;
                    }
                }
                pos += n;
                buf.clear();
            }
            t.size = pos;
            t.completeBytes = lastNl + 1;
            if (lastNl >= 0) {
                t.lastLine = read(ch, prevNl + 1, (int) Math.min(Integer.MAX_VALUE - 8, lastNl - prevNl - 1));
                ByteArrayOutputStream first = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(4096);
                long p = 0;
                outer:
                while (p < t.completeBytes && first.size() < 1 << 16) {
                    b.clear();
                    int r = ch.read(b, p);
                    if (r <= 0) {
                        break;
                    }
                    for (int i = 0; i < r; i++) {
                        if (b.get(i) == '\n') {
                            break outer;
                        }
                        first.write(b.get(i));
                    }
                    p += r;
                }
                t.firstLine = first.toByteArray();
            }
        }
        return t;
    }

    private static byte[] read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                break;
            }
        }
        return b.array();
    }
}
