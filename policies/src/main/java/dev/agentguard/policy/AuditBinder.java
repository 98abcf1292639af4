package dev.agentguard.policy;

import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.redact.RedactionClass;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds the {@code audit} section to {@link AuditConfig}'s builder, whose {@code build()} validates it; this class
 * converts the YAML forms (sizes, {@code redact: none}, the queue's {@code onFull}) and puts each problem where it
 * is: a builder message naming {@code audit.rotateAtBytes} is reported at {@code audit.rotate.maxSize}.
 *
 * <p>Two checks need the world outside the file, and are made here so that they are located too: the
 * {@code hmacKeyEnv} variable must be set (in the reader's environment), and {@code file} must not be a
 * directory or a file that is not an audit file ({@link AuditSink#checkFile}).
 */
final class AuditBinder {

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})\\s*(B|KB|MB|GB|KiB|MiB|GiB)?",
            Pattern.CASE_INSENSITIVE);
    private static final Map<String, String> ON_FULL = PolicyBinder.ids(new String[] {"wait", "drop"}, s -> s);

    private final Problems problems;
    private final Function<String, String> env;

    AuditBinder(Problems problems, Function<String, String> env) {
        this.problems = problems;
        this.env = env;
    }

    /** @return the settings, or null (reported) when the section has problems */
    AuditSettings bind(Node n) {
        Section s = Section.of(n, "audit", problems);
        if (s == null) {
            return null;
        }
        int before = problems.size();
        AuditConfig.Builder b = AuditConfig.builder();
        Map<String, Node> at = new LinkedHashMap<>(); // core property -> the YAML value it came from
        s.require("file");
        Path file = s.value("file", v -> {
            try {
                return Path.of(Values.text(v));
            } catch (InvalidPathException e) {
                throw new BadValue(v, "not a valid path: " + e.getMessage());
            }
        });
        if (file != null) {
            b.file(file);
            at.put("audit.file", s.get("file"));
            AuditSink.checkFile(file).ifPresent(why -> problems.add(s.get("file"), "the audit file " + file + " "
                    + why));
        }
        redact(s, b);
        patterns(s, b, at);
        String keyEnv = s.value("hmacKeyEnv", Values::text);
        if (keyEnv != null) {
            b.hmacKeyEnv(keyEnv);
            at.put("audit.hmacKeyEnv", s.get("hmacKeyEnv"));
            if (keyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                String key = env.apply(keyEnv);
                if (key == null || key.isEmpty()) {
                    problems.add(s.get("hmacKeyEnv"), "environment variable " + keyEnv + " is not set: it holds the"
                            + " HMAC key of the audit chain (at least " + AuditConfig.MIN_KEY_BYTES + " bytes)");
                }
            }
        }
        s.set("flushEvery", Values::duration, b::flushEvery);
        at.put("audit.flushEvery", s.get("flushEvery"));
        Node rotate = s.get("rotate");
        if (rotate != null) {
            Section rs = Section.of(rotate, "audit.rotate", problems);
            if (rs != null) {
                rs.set("maxSize", AuditBinder::size, b::rotateAtBytes);
                rs.set("daily", AuditBinder::bool, b::rotateDaily);
                at.put("audit.rotateAtBytes", rs.get("maxSize"));
            }
        }
        Node queue = s.get("queue");
        if (queue != null) {
            Section qs = Section.of(queue, "audit.queue", problems);
            if (qs != null) {
                qs.set("size", v -> Values.positiveCount(v, "records"), b::queueCapacity);
                at.put("audit.queueCapacity", qs.get("size"));
                String onFull = qs.value("onFull", v -> Values.choice(v, ON_FULL));
                Duration maxWait = qs.value("maxWait", Values::duration);
                at.put("audit.maxBlock", qs.get("maxWait"));
                if ("drop".equals(onFull)) {
                    if (qs.get("maxWait") != null) {
                        problems.add(qs.get("maxWait"), "maxWait applies to onFull: wait; with drop a record that"
                                + " finds the queue full is counted lost at once");
                    }
                    b.maxBlock(Duration.ZERO);
                } else if (maxWait != null) {
                    b.maxBlock(maxWait);
                }
            }
        }
        Node checkpoint = s.get("checkpoint");
        if (checkpoint != null) {
            Section cs = Section.of(checkpoint, "audit.checkpoint", problems);
            if (cs != null) {
                cs.set("records", v -> (long) Values.positiveCount(v, "records"), b::checkpointEveryRecords);
                cs.set("every", Values::duration, b::checkpointEvery);
                at.put("audit.checkpointEveryRecords", cs.get("records"));
                at.put("audit.checkpointEvery", cs.get("every"));
            }
        }
        if (problems.size() > before || file == null) {
            return null;
        }
        try {
            return new AuditSettings(b.build());
        } catch (IllegalArgumentException e) {
            report(e.getMessage(), at, s);
            return null;
        }
    }

    /** {@code redact}: a list of classes, or {@code none}; absent, every class (secure by default). */
    private void redact(Section s, AuditConfig.Builder b) {
        Node r = s.get("redact");
        if (r == null) {
            return; // the builder's default: every class
        }
        if (r instanceof Node.ScalarNode && ((Node.ScalarNode) r).kind() == Node.Kind.STRING
                && ((Node.ScalarNode) r).text().trim().equals("none")) {
            b.redact(new RedactionClass[0]);
            return;
        }
        if (r instanceof Node.ListNode && ((Node.ListNode) r).items().isEmpty()) {
            problems.add(r, "an empty list would redact nothing; write redact: none to turn redaction off, or leave"
                    + " redact out to redact every class");
            return;
        }
        Map<String, String> ids = new LinkedHashMap<>();
        for (RedactionClass c : RedactionClass.values()) {
            ids.put(c.id(), c.id());
        }
        try {
            List<String> classes = Values.list(r, v -> Values.choice(v, ids), problems);
            b.redact(classes);
        } catch (BadValue e) {
            problems.add(e.at(), "expected a list of " + String.join(", ", ids.keySet()) + ", or none; got "
                    + r.describe());
        }
    }

    /** {@code redactPatterns}: a list of expressions (labelled custom, custom-2...) or a mapping label: regex. */
    private void patterns(Section s, AuditConfig.Builder b, Map<String, Node> at) {
        Node p = s.get("redactPatterns");
        if (p == null) {
            return;
        }
        List<Map.Entry<String, Node>> entries = new ArrayList<>();
        if (p instanceof Node.ListNode) {
            List<Node> items = ((Node.ListNode) p).items();
            for (int i = 0; i < items.size(); i++) {
                entries.add(Map.entry(i == 0 ? "custom" : "custom-" + (i + 1), items.get(i)));
            }
        } else if (p instanceof Node.MapNode) {
            for (Node.Entry e : ((Node.MapNode) p).entries().values()) {
                entries.add(Map.entry(e.key(), e.value()));
            }
        } else {
            problems.add(p, "expected a list of regular expressions, or a mapping of label to regular expression;"
                    + " got " + p.describe());
            return;
        }
        for (Map.Entry<String, Node> e : entries) {
            try {
                String regex = Values.text(e.getValue());
                b.redactPattern(e.getKey(), regex);
                at.put("audit.redactPatterns." + e.getKey(), e.getValue());
            } catch (BadValue bad) {
                problems.add(bad.at(), bad.getMessage());
            }
        }
    }

    /** Reports a builder's message at the YAML value of the property it names. */
    private void report(String message, Map<String, Node> at, Section s) {
        String text = message == null ? "invalid value" : message;
        Node where = null;
        String property = null;
        for (Map.Entry<String, Node> e : at.entrySet()) {
            if (e.getValue() != null && (text.startsWith(e.getKey() + ' ') || text.startsWith(e.getKey() + ':'))) {
                if (property == null || e.getKey().length() > property.length()) {
                    property = e.getKey();
                    where = e.getValue();
                }
            }
        }
        if (where == null) {
            Section.report(s.node(), text, problems);
            return;
        }
        problems.add(where, text.substring(property.length()).replaceFirst("^:?\\s*", ""));
    }

    private static long size(Node n) throws BadValue {
        if (n instanceof Node.ScalarNode && ((Node.ScalarNode) n).kind() == Node.Kind.INT) {
            return Values.wholeNumber(n, "bytes");
        }
        String text = Values.text(n).trim();
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new BadValue(n, "expected a size like 100MB, 512KB or 1GB, got " + n.describe());
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT).replace("I", "");
        long factor = unit.equals("KB") ? 1L << 10 : unit.equals("MB") ? 1L << 20 : unit.equals("GB") ? 1L << 30 : 1;
        if (amount > Long.MAX_VALUE / factor) {
            throw new BadValue(n, "expected a size like 100MB, got " + n.describe() + ", which is too large");
        }
        return amount * factor;
    }

    private static boolean bool(Node n) throws BadValue {
        if (n instanceof Node.ScalarNode && ((Node.ScalarNode) n).kind() == Node.Kind.BOOL) {
            return Boolean.parseBoolean(((Node.ScalarNode) n).text().trim());
        }
        throw new BadValue(n, "expected true or false, got " + n.describe());
    }
}
