package dev.agentguard.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Assembles policies from files: reads each file once, checks its {@code version}, applies {@code extends} (a base
 * file, or a preset, for a file; a sibling agent for an agent section) with cycle detection, and hands each
 * resulting set of settings to the {@link PolicyBinder}. One instance serves one load and collects all of its
 * problems.
 *
 * <p>Inheritance merges mappings key by key, recursively; a list or a plain value in the child replaces the
 * parent's (so a child's {@code budgets} replace the parent's, while its {@code caps.toolCallsPerTurn} leaves the
 * other caps inherited); a key set to null in the child removes the inherited value. {@code name} is never
 * inherited.
 */
final class PolicyComposer {

    /** The prefix of {@code extends:} values that name a bundled preset. */
    static final String PRESET = "preset:";
    /** Where presets live on the classpath. */
    static final String PRESET_RESOURCES = "/dev/agentguard/policy/presets/";

    private static final Set<String> META = Set.of("version", "extends", "agents");

    private final Function<String, String> env;
    private final List<Path> extendsFrom;
    private final List<Path> roots = new ArrayList<>();
    private Path policyTree;
    private final Problems problems = new Problems();
    private final Map<String, Doc> docs = new HashMap<>();

    /** One file (or stream, or preset) as read: its root mapping, null when unreadable (reported). */
    private record Doc(String key, String source, Path file, Path dir, Node.MapNode root) {
    }

    /** The settings of one policy before binding, with the files they came from. */
    private record Settings(Node.MapNode map, List<Path> files) {
    }

    /**
     * @param env the environment of {@code ${NAME}}
     * @param extendsFrom directory trees that {@code extends} may reach besides that of the policy loaded
     */
    PolicyComposer(Function<String, String> env, List<Path> extendsFrom) {
        this.env = env;
        this.extendsFrom = extendsFrom;
        for (Path trusted : extendsFrom) {
            roots.add(canonical(trusted));
            roots.add(trusted.toAbsolutePath().normalize());
        }
    }

    /** Allows {@code extends} within the tree of the policy loaded. */
    private void allowTree(Path dir) {
        Path root = canonical(dir);
        if (policyTree == null) {
            policyTree = root;
        }
        roots.add(root);
        roots.add(dir.toAbsolutePath().normalize());
    }

    private static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException | SecurityException e) {
            return abs;
        }
    }

    /** @return true if the file (after links are followed, when it exists) is below one of the allowed trees */
    private boolean insideTrees(Path file) {
        Path where = Files.exists(file) ? canonical(file) : file.toAbsolutePath().normalize();
        for (Path root : roots) {
            if (where.startsWith(root)) {
                return true;
            }
        }
        return false;
    }

    // ---- entry points

    Policy policy(Path file, String agent) {
        allowTree(file.toAbsolutePath().getParent());
        Doc doc = readFile(file);
        return single(doc, agent);
    }

    Policy policy(InputStream in, String sourceName, String agent) {
        allowTree(Path.of(""));
        Doc doc = readStream(in, sourceName);
        return single(doc, agent);
    }

    PolicySet agents(Path fileOrDirectory) {
        Map<String, Policy> out = new LinkedHashMap<>();
        Map<String, String> definedIn = new HashMap<>();
        allowTree(Files.isDirectory(fileOrDirectory) ? fileOrDirectory : fileOrDirectory.toAbsolutePath().getParent());
        if (Files.isDirectory(fileOrDirectory)) {
            List<Path> files = policyFiles(fileOrDirectory);
            if (files.isEmpty() && problems.isEmpty()) {
                problems.add(new Mark(fileOrDirectory.toString(), 1, 1), "", "the directory holds no policy file"
                        + " (*.yaml or *.yml whose name does not start with _)");
            }
            for (Path f : files) {
                addAll(readFile(f), out, definedIn);
            }
        } else {
            addAll(readFile(fileOrDirectory), out, definedIn);
        }
        problems.throwIfAny();
        return new PolicySet(out);
    }

    PolicySet agents(InputStream in, String sourceName) {
        allowTree(Path.of(""));
        Map<String, Policy> out = new LinkedHashMap<>();
        addAll(readStream(in, sourceName), out, new HashMap<>());
        problems.throwIfAny();
        return new PolicySet(out);
    }

    private Policy single(Doc doc, String agent) {
        Policy result = null;
        if (doc.root() != null) {
            Node agents = doc.root().get("agents");
            if (agent == null && agents != null) {
                List<String> names = agents instanceof Node.MapNode
                        ? new ArrayList<>(((Node.MapNode) agents).entries().keySet()) : List.of();
                problems.add(doc.root().entries().get("agents").keyMark(), "agents", "this file defines agents "
                        + names + ": load one with Policies.load(path, agent) or all of them with"
                        + " Policies.loadAgents(path)");
            } else if (agent == null) {
                Settings s = fileSettings(doc, new ArrayDeque<>());
                result = bind(doc, s, defaultName(doc));
            } else {
                Map<String, Policy> all = new LinkedHashMap<>();
                addAll(doc, all, new HashMap<>());
                result = all.get(agent);
                if (result == null && problems.isEmpty()) {
                    String hint = Suggestions.closest(agent, all.keySet());
                    problems.add(agents != null ? agents : doc.root(), "no agent '" + agent + "' here; the file"
                            + " defines " + all.keySet() + (hint == null ? "" : "; did you mean " + hint + "?"));
                }
            }
        }
        problems.throwIfAny();
        return result;
    }

    /** Adds the policies of one file: its agents, or the file itself when it has none. */
    private void addAll(Doc doc, Map<String, Policy> out, Map<String, String> definedIn) {
        if (doc.root() == null) {
            return;
        }
        Settings fileSettings = fileSettings(doc, new ArrayDeque<>());
        Node agents = doc.root().get("agents");
        if (agents == null) {
            add(out, definedIn, doc, doc.root(), bind(doc, fileSettings, defaultName(doc)));
            return;
        }
        if (!(agents instanceof Node.MapNode) || ((Node.MapNode) agents).entries().isEmpty()) {
            problems.add(agents, "expected a mapping of agent name to its settings, got " + agents.describe());
            return;
        }
        Node.MapNode agentMap = (Node.MapNode) agents;
        Map<String, Settings> resolved = new HashMap<>();
        for (Node.Entry e : agentMap.entries().values()) {
            Settings s = agentSettings(doc, agentMap, e.key(), fileSettings, resolved, new ArrayDeque<>());
            if (s != null) {
                add(out, definedIn, doc, e.value(), bind(doc, s, e.key()));
            }
        }
    }

    private void add(Map<String, Policy> out, Map<String, String> definedIn, Doc doc, Node at, Policy p) {
        if (p == null) {
            return;
        }
        String previous = definedIn.putIfAbsent(p.name(), doc.source());
        if (previous != null) {
            problems.add(at, "agent name '" + p.name() + "' is defined twice (also in " + previous + ")");
            return;
        }
        out.put(p.name(), p);
    }

    private Policy bind(Doc doc, Settings s, String defaultName) {
        if (s == null) {
            return null;
        }
        PolicyBinder.Bound bound = new PolicyBinder(problems, doc.dir(), env).bind(s.map(), defaultName);
        if (bound == null) {
            return null;
        }
        return new Policy(bound.config(), bound.audit(), bound.ledger(), doc.source(), s.files());
    }

    // ---- inheritance

    /** The file's top-level settings, with its extends chain applied; {@code chain} holds the files below it. */
    private Settings fileSettings(Doc doc, Deque<String> chain) {
        Node.MapNode own = strip(doc.root(), META);
        List<Path> files = new ArrayList<>();
        if (doc.file() != null) {
            files.add(doc.file());
        }
        Node ext = doc.root().get("extends");
        if (ext == null || isNull(ext)) {
            return new Settings(own, files);
        }
        String target;
        try {
            target = Values.text(ext).trim();
        } catch (BadValue e) {
            problems.add(ext, "expected the path of a base policy file or preset:<name>, got " + ext.describe());
            return new Settings(own, files);
        }
        chain.push(doc.key());
        try {
            Doc base = resolveBase(doc, target, ext);
            if (base == null || base.root() == null) {
                return new Settings(own, files);
            }
            if (chain.contains(base.key())) {
                List<String> cycle = new ArrayList<>(chain);
                java.util.Collections.reverse(cycle);
                cycle.add(base.key());
                List<String> names = new ArrayList<>();
                for (String k : cycle.subList(cycle.indexOf(base.key()), cycle.size())) {
                    names.add(docs.get(k).source());
                }
                problems.add(ext, "extends cycle: " + String.join(" -> ", names));
                return new Settings(own, files);
            }
            Settings parent = fileSettings(base, chain);
            files.addAll(parent.files());
            return new Settings(merge(strip(parent.map(), Set.of("name")), own), files);
        } finally {
            chain.pop();
        }
    }

    private Doc resolveBase(Doc doc, String target, Node at) {
        if (target.startsWith(PRESET)) {
            String name = target.substring(PRESET.length()).trim();
            if (!name.matches("[a-z0-9-]+") || Policies.class.getResource(PRESET_RESOURCES + name + ".yaml") == null) {
                problems.add(at, "no preset '" + name + "'; the presets are " + Policies.PRESETS);
                return null;
            }
            return readPreset(name);
        }
        Path path;
        try {
            path = doc.dir() == null ? Path.of(target) : doc.dir().resolve(target);
        } catch (InvalidPathException e) {
            problems.add(at, "not a valid path: " + e.getMessage());
            return null;
        }
        if (!insideTrees(path)) {
            // not read at all: a policy must not make the loader read (and echo) a file outside its tree
            problems.add(at, "base policy file " + target + " is outside the directory tree of the policy ("
                    + policyTree + "); extends reaches the files below it and preset:<name> (allow another tree"
                    + " with PolicyReader.allowExtendsFrom)");
            return null;
        }
        if (!Files.isRegularFile(path)) {
            problems.add(at, "base policy file " + path + " does not exist");
            return null;
        }
        return readFile(path);
    }

    /** An agent's settings: a sibling's (with its own extends applied) or the file's, then its own section. */
    private Settings agentSettings(Doc doc, Node.MapNode agents, String name, Settings fileSettings,
            Map<String, Settings> resolved, Deque<String> chain) {
        if (resolved.containsKey(name)) {
            return resolved.get(name);
        }
        Node section = agents.get(name);
        if (!(section instanceof Node.MapNode)) {
            problems.add(section, "expected the settings of agent " + name + " (a mapping), got " + section.describe());
            resolved.put(name, null);
            return null;
        }
        Node.MapNode own = (Node.MapNode) section;
        for (String misplaced : List.of("version", "agents")) {
            Node.Entry e = own.entries().get(misplaced);
            if (e != null) {
                problems.add(e.keyMark(), Node.child(own.path(), misplaced), misplaced + " belongs at the top of the"
                        + " file, not in an agent section");
            }
        }
        Settings parent = fileSettings;
        Node ext = own.get("extends");
        if (ext != null && !isNull(ext)) {
            String sibling = null;
            try {
                sibling = Values.text(ext).trim();
            } catch (BadValue e) {
                problems.add(ext, "expected the name of another agent of this file, got " + ext.describe());
            }
            if (sibling != null && agents.get(sibling) == null) {
                String hint = Suggestions.closest(sibling, agents.entries().keySet());
                problems.add(ext, "no agent '" + sibling + "' in this file to extend"
                        + (hint != null ? "; did you mean " + hint + "?" : sibling.endsWith(".yaml")
                                || sibling.endsWith(".yml") ? "; an agent extends a sibling agent, while a file"
                                + " extends a base file with extends: at its top" : ""));
            } else if (sibling != null && (chain.contains(sibling) || sibling.equals(name))) {
                List<String> cycle = new ArrayList<>(chain);
                java.util.Collections.reverse(cycle);
                cycle.add(name);
                cycle.add(sibling);
                problems.add(ext, "extends cycle between agents: " + String.join(" -> ",
                        cycle.subList(Math.max(0, cycle.indexOf(sibling)), cycle.size())));
            } else if (sibling != null) {
                chain.push(name);
                try {
                    parent = agentSettings(doc, agents, sibling, fileSettings, resolved, chain);
                } finally {
                    chain.pop();
                }
            }
        }
        if (parent == null) {
            resolved.put(name, null);
            return null;
        }
        Settings s = new Settings(merge(strip(parent.map(), Set.of("name")), strip(own, META)), parent.files());
        resolved.put(name, s);
        return s;
    }

    private static boolean isNull(Node n) {
        return n instanceof Node.ScalarNode && ((Node.ScalarNode) n).kind() == Node.Kind.NULL;
    }

    private static Node.MapNode strip(Node.MapNode map, Set<String> keys) {
        Map<String, Node.Entry> out = new LinkedHashMap<>(map.entries());
        out.keySet().removeAll(keys);
        return new Node.MapNode(map.mark(), map.path(), out, map.weight());
    }

    /**
     * @param parent the inherited settings
     * @param child the settings that override them
     * @return mappings merged key by key, recursively; anything else from the child; a child null removes the key
     */
    static Node.MapNode merge(Node.MapNode parent, Node.MapNode child) {
        Map<String, Node.Entry> out = new LinkedHashMap<>(parent.entries());
        for (Node.Entry e : child.entries().values()) {
            Node.Entry inherited = out.get(e.key());
            if (isNull(e.value())) {
                out.remove(e.key());
            } else if (inherited != null && inherited.value() instanceof Node.MapNode
                    && e.value() instanceof Node.MapNode) {
                out.put(e.key(), new Node.Entry(e.key(), e.keyMark(),
                        merge((Node.MapNode) inherited.value(), (Node.MapNode) e.value())));
            } else {
                out.put(e.key(), e);
            }
        }
        long weight = 1;
        for (Node.Entry e : out.values()) {
            weight = Math.max(weight, weight + e.value().weight());
        }
        return new Node.MapNode(child.mark(), child.path(), out, weight);
    }

    // ---- reading

    private static String defaultName(Doc doc) {
        String s = doc.source();
        int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
        String base = s.substring(slash + 1);
        String lower = base.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".yaml")) {
            base = base.substring(0, base.length() - 5);
        } else if (lower.endsWith(".yml")) {
            base = base.substring(0, base.length() - 4);
        }
        return base.isBlank() ? "default" : base;
    }

    private List<Path> policyFiles(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                String lower = n.toLowerCase(Locale.ROOT);
                if ((lower.endsWith(".yaml") || lower.endsWith(".yml")) && !n.startsWith("_") && !n.startsWith(".")
                        && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            problems.add(new Mark(dir.toString(), 1, 1), "", "cannot list the directory: " + e);
        }
        files.sort(null);
        return files;
    }

    private Doc readFile(Path file) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException | SecurityException e) {
            real = file.toAbsolutePath().normalize();
        }
        String key = real.toString();
        Doc cached = docs.get(key);
        if (cached != null) {
            return cached;
        }
        String source = file.toString();
        byte[] bytes = null;
        try {
            if (Files.isDirectory(file)) {
                problems.add(new Mark(source, 1, 1), "", "is a directory; load it with Policies.loadAgents");
            } else if (Files.size(file) > YamlReader.MAX_BYTES) {
                problems.add(new Mark(source, 1, 1), "", tooLarge(Files.size(file)));
            } else {
                try (InputStream in = Files.newInputStream(file)) {
                    bytes = readLimited(in, source);
                }
            }
        } catch (IOException | SecurityException e) {
            problems.add(new Mark(source, 1, 1), "", "cannot read the file: " + e);
        }
        // extends paths resolve against the directory as the caller named it, so that messages show paths the
        // way the user wrote them; the real path is only the identity that cycle detection compares
        Path dir = file.getParent() != null ? file.getParent() : Path.of("");
        Doc doc = parse(key, source, file, dir, bytes);
        docs.put(key, doc);
        return doc;
    }

    private Doc readStream(InputStream in, String sourceName) {
        byte[] bytes = null;
        try {
            bytes = readLimited(in, sourceName);
        } catch (IOException e) {
            problems.add(new Mark(sourceName, 1, 1), "", "cannot read: " + e);
        }
        Doc doc = parse("stream:" + sourceName, sourceName, null, null, bytes);
        docs.put(doc.key(), doc);
        return doc;
    }

    private Doc readPreset(String name) {
        String key = PRESET + name;
        Doc cached = docs.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = null;
        try (InputStream in = Policies.class.getResourceAsStream(PRESET_RESOURCES + name + ".yaml")) {
            bytes = readLimited(in, key);
        } catch (IOException e) {
            problems.add(new Mark(key, 1, 1), "", "cannot read the preset: " + e);
        }
        Doc doc = parse(key, key, null, null, bytes);
        docs.put(key, doc);
        return doc;
    }

    private byte[] readLimited(InputStream in, String source) throws IOException {
        byte[] bytes = in.readNBytes(YamlReader.MAX_BYTES + 1);
        if (bytes.length > YamlReader.MAX_BYTES) {
            problems.add(new Mark(source, 1, 1), "", tooLarge(-1));
            return null;
        }
        return bytes;
    }

    private static String tooLarge(long size) {
        return "the file is " + (size < 0 ? "more than " + YamlReader.MAX_BYTES : size) + " bytes; a policy may be"
                + " at most " + YamlReader.MAX_BYTES + " bytes (1 MiB)";
    }

    private Doc parse(String key, String source, Path file, Path dir, byte[] bytes) {
        if (bytes == null) {
            return new Doc(key, source, file, dir, null);
        }
        Node root = YamlReader.read(bytes, source, env, problems);
        if (root == null) {
            return new Doc(key, source, file, dir, null);
        }
        if (!(root instanceof Node.MapNode)) {
            problems.add(root, "expected a mapping of policy keys (version: 1, name: ..., budgets: ...), got "
                    + root.describe());
            return new Doc(key, source, file, dir, null);
        }
        Node.MapNode map = (Node.MapNode) root;
        checkVersion(map);
        return new Doc(key, source, file, dir, map);
    }

    private void checkVersion(Node.MapNode root) {
        Node v = root.get("version");
        if (v == null) {
            problems.add(root.mark(), "version", "version is required: start the file with version: 1");
            return;
        }
        if (v instanceof Node.ScalarNode && ((Node.ScalarNode) v).kind() == Node.Kind.INT
                && ((Node.ScalarNode) v).number() != null) {
            if (((Node.ScalarNode) v).number().compareTo(java.math.BigDecimal.ONE) != 0) {
                problems.add(v, "unsupported version " + ((Node.ScalarNode) v).text() + ": this library reads policy"
                        + " format version 1");
            }
            return;
        }
        problems.add(v, "expected version: 1, got " + v.describe());
    }
}
