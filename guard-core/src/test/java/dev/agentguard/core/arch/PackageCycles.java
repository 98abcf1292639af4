package dev.agentguard.core.arch;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

/**
 * The package graph of a module's compiled classes, read with the JDK's {@code jdeps}, and the cycles in it.
 * Every module's build runs {@link #assertNone(Path, String)} over its {@code target/classes}, so that a change
 * that makes two packages point at each other fails the build with the classes that do it.
 */
public final class PackageCycles {

    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s");

    private PackageCycles() {
    }

    /**
     * @param classes a directory of compiled classes
     * @param prefix the packages to look at, e.g. {@code dev.agentguard}
     * @return each package of the graph with the packages it depends on (itself excluded)
     */
    public static Map<String, Set<String>> graph(Path classes, String prefix) {
        if (!Files.isDirectory(classes)) {
            throw new IllegalArgumentException("no compiled classes at " + classes);
        }
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new IllegalStateException("this JDK has no jdeps"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none",
                classes.toString());
        if (rc != 0) {
            throw new IllegalStateException("jdeps failed (" + rc + "): " + err);
        }
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && m.group(1).startsWith(prefix) && m.group(2).startsWith(prefix)) {
                graph.computeIfAbsent(m.group(1), k -> new TreeSet<>());
                graph.computeIfAbsent(m.group(2), k -> new TreeSet<>());
                if (!m.group(1).equals(m.group(2))) {
                    graph.get(m.group(1)).add(m.group(2));
                }
            }
        }
        return graph;
    }

    /**
     * Tarjan's strongly connected components; O(packages + edges).
     *
     * @param graph each package with the packages it depends on
     * @return every set of two or more packages that reach each other
     */
    public static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> found = new ArrayList<>();
        int[] next = {0};
        for (String p : graph.keySet()) {
            if (!index.containsKey(p)) {
                connect(p, graph, index, low, stack, onStack, found, next);
            }
        }
        return found;
    }

    private static void connect(String p, Map<String, Set<String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> found, int[] next) {
        index.put(p, next[0]);
        low.put(p, next[0]);
        next[0]++;
        stack.push(p);
        onStack.add(p);
        for (String q : graph.getOrDefault(p, Set.of())) {
            if (!index.containsKey(q)) {
                connect(q, graph, index, low, stack, onStack, found, next);
                low.put(p, Math.min(low.get(p), low.get(q)));
            } else if (onStack.contains(q)) {
                low.put(p, Math.min(low.get(p), index.get(q)));
            }
        }
        if (low.get(p).equals(index.get(p))) {
            Set<String> component = new TreeSet<>();
            String q;
            do {
                q = stack.pop();
                onStack.remove(q);
                component.add(q);
            } while (!q.equals(p));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }

    /**
     * @param classes a directory of compiled classes
     * @param prefix the packages to look at
     * @throws AssertionError naming each cycle and the edges inside it
     */
    public static void assertNone(Path classes, String prefix) {
        assertNone(graph(classes, prefix), classes.toString());
    }

    /**
     * @param graph each package with the packages it depends on
     * @param where what the graph was read from, for the message
     * @throws AssertionError naming each cycle and the edges inside it
     */
    static void assertNone(Map<String, Set<String>> graph, String where) {
        List<Set<String>> cycles = cycles(graph);
        if (!cycles.isEmpty()) {
            StringBuilder msg = new StringBuilder("package cycles in " + where + ":");
            for (Set<String> cycle : cycles) {
                msg.append("\n  ").append(cycle);
                for (String p : cycle) {
                    for (String q : graph.get(p)) {
                        if (cycle.contains(q)) {
                            msg.append("\n    ").append(p).append(" -> ").append(q);
                        }
                    }
                }
            }
            throw new AssertionError(msg.toString());
        }
    }
}
