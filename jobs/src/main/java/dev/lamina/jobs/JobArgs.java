package dev.lamina.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Parsed command-line options: {@code --name value} pairs, with {@code --set} repeatable, and
 * flags without a value ({@code --resume}).
 *
 * @param options   single-valued options by name (without dashes); a flag given maps to "true"
 * @param overrides the {@code --set key=value} overrides in order
 */
record JobArgs(Map<String, String> options, List<String> overrides) {

    static JobArgs parse(String[] args, Set<String> allowed) {
        return parse(args, allowed, Set.of());
    }

    /** As {@link #parse(String[], Set)}, where the names in {@code flags} take no value. */
    static JobArgs parse(String[] args, Set<String> allowed, Set<String> flags) {
        Map<String, String> options = new TreeMap<>();
        List<String> overrides = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && flags.contains(a.substring(2))) {
                options.put(a.substring(2), "true");
                continue;
            }
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("argument '" + a + "' (expected: --option value; options: "
                        + names(allowed, flags) + ", --set key=value)");
            }
            String name = a.substring(2);
            String value = args[++i];
            if (name.equals("set")) {
                overrides.add(value);
            } else if (allowed.contains(name)) {
                options.put(name, value);
            } else {
                throw new IllegalArgumentException("option --" + name + " (expected one of: "
                        + names(allowed, flags) + ", --set)");
            }
        }
        return new JobArgs(options, overrides);
    }

    private static String names(Set<String> allowed, Set<String> flags) {
        List<String> all = new ArrayList<>();
        allowed.forEach(n -> all.add("--" + n + " value"));
        flags.forEach(n -> all.add("--" + n));
        return String.join(", ", all.stream().sorted().toList());
    }

    /** Option {@code --name} as an integer (underscores allowed: 25_000_000), else {@code fallback}. */
    static int integer(Map<String, String> options, String name, int fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " " + v + " (expected: an integer)", e);
        }
    }

    /** Option {@code --name} as a number, else {@code fallback}. */
    static double decimal(Map<String, String> options, String name, double fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " " + v + " (expected: a number)", e);
        }
    }

    /** Whether flag {@code name} was given. */
    boolean flag(String name) {
        return "true".equals(options.get(name));
    }

    String required(String name) {
        String v = options.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    /** The job file bound with overrides; {@code --output} overrides output.dir. */
    JobConfig config() throws java.io.IOException {
        List<String> all = new ArrayList<>(overrides);
        if (options.containsKey("output")) {
            all.add("output.dir=" + options.get("output"));
        }
        return new ConfigLoader(Environment.defaultCache()).load(Path.of(required("config")), all);
    }
}
