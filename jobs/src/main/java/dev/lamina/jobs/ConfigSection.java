package dev.lamina.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads from one section of a parsed YAML map, remembering which keys were read so that
 * {@link #finish()} can name every key nobody asked for (a typo) with the closest known key.
 */
final class ConfigSection {
    private final String path;
    private final Map<String, Object> values;
    private final Set<String> known = new LinkedHashSet<>();

    ConfigSection(String path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    static ConfigSection of(String path, Object value) {
        if (value == null) {
            return new ConfigSection(path, Map.of());
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(path + " : " + value + " (expected: a section of key: value lines)");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return new ConfigSection(path, copy);
    }

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    Object raw(String name) {
        known.add(name);
        return values.get(name);
    }

    boolean has(String name) {
        known.add(name);
        return values.containsKey(name) && values.get(name) != null;
    }

    ConfigSection section(String name) {
        return of(key(name), raw(name));
    }

    int integer(String name, int fallback) {
        Object v = raw(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new IllegalArgumentException(key(name) + " : " + v + " (expected: an integer)");
    }

    long longValue(String name, long fallback) {
        Object v = raw(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        throw new IllegalArgumentException(key(name) + " : " + v + " (expected: an integer)");
    }

    double number(String name, double fallback) {
        Object v = raw(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(key(name) + " : " + v + " (expected: a number)");
    }

    boolean bool(String name, boolean fallback) {
        Object v = raw(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(key(name) + " : " + v + " (expected: true or false)");
    }

    /** A list of single values ({@code [a, b]}); a single value is a list of one; absent = empty. */
    List<String> strings(String name) {
        Object v = raw(name);
        if (v == null) {
            return List.of();
        }
        List<?> items = v instanceof List<?> l ? l : List.of(v);
        List<String> out = new ArrayList<>(items.size());
        for (Object item : items) {
            if (item == null || item instanceof Map || item instanceof List) {
                throw new IllegalArgumentException(key(name) + " : " + v + " (expected: a list of single values)");
            }
            out.add(String.valueOf(item));
        }
        return out;
    }

    String string(String name, String fallback) {
        Object v = raw(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(key(name) + " : " + v + " (expected: a single value)");
        }
        return String.valueOf(v);
    }

    /** Throws naming every unknown key (with its full dotted path) and the closest known key. */
    void finish() {
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!known.contains(e.getKey())) {
                unknown.addAll(leafKeys(key(e.getKey()), e.getValue()));
                String last = unknown.get(unknown.size() - 1);
                String near = nearest(e.getKey());
                unknown.set(unknown.size() - 1, last + (near == null ? "" : " (did you mean " + key(near) + "?)"));
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration key" + (unknown.size() > 1 ? "s" : "") + ": "
                    + String.join(", ", unknown) + " (expected one of: "
                    + String.join(", ", known.stream().map(this::key).toList()) + ")");
        }
    }

    private static List<String> leafKeys(String prefix, Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof Map<?, ?> m && !m.isEmpty()) {
            m.forEach((k, v) -> out.addAll(leafKeys(prefix + "." + k, v)));
        } else {
            out.add(prefix);
        }
        return out;
    }

    private String nearest(String name) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(name.toLowerCase(), k.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
