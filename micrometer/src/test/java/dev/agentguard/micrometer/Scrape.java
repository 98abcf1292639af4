package dev.agentguard.micrometer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/** The samples of a Prometheus text exposition, parsed just enough for tests to look meters up by name and label. */
final class Scrape {

    /** One line: a metric name, its labels, its value. */
    record Sample(String name, Map<String, String> labels, double value) {
        String label(String key) {
            return labels.get(key);
        }
    }

    private final List<Sample> samples = new ArrayList<>();

    Scrape(String text) {
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            samples.add(parse(line));
        }
    }

    private static Sample parse(String line) {
        int brace = line.indexOf('{');
        int space;
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        if (brace < 0) {
            space = line.indexOf(' ');
            name = line.substring(0, space);
        } else {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq);
                StringBuilder value = new StringBuilder();
                int j = eq + 2; // past ="
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                    j++;
                }
                labels.put(key, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            space = i + 1;
        }
        String rest = line.substring(space).trim();
        String value = rest.split(" ")[0];
        return new Sample(name, labels, Double.parseDouble(value));
    }

    /** @return every sample of that metric name (with its suffix, e.g. {@code _bucket}) */
    List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** @return the samples of that name whose labels include all of the given pairs */
    List<Sample> find(String name, String... labelPairs) {
        Predicate<Sample> p = s -> s.name().equals(name);
        for (int i = 0; i < labelPairs.length; i += 2) {
            String k = labelPairs[i];
            String v = labelPairs[i + 1];
            p = p.and(s -> v.equals(s.labels().get(k)));
        }
        return samples.stream().filter(p).toList();
    }

    /** @return the sum of the values of {@link #find} */
    double sum(String name, String... labelPairs) {
        return find(name, labelPairs).stream().mapToDouble(Sample::value).sum();
    }

    /** @return the label keys of that metric's samples, union over its series */
    Set<String> labelKeys(String name) {
        Set<String> keys = new TreeSet<>();
        named(name).forEach(s -> keys.addAll(s.labels().keySet()));
        return keys;
    }

    List<Sample> all() {
        return samples;
    }
}
