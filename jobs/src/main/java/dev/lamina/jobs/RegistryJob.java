package dev.lamina.jobs;

import dev.lamina.driver.registry.ChampionPointer;
import dev.lamina.driver.registry.DataProfile;
import dev.lamina.driver.registry.ModelRegistry;
import dev.lamina.driver.registry.RegistryLock;
import dev.lamina.driver.registry.RegistryVersion;
import dev.lamina.engine.io.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code registry list|show|promote|rollback --registry URL ...}: inspects a model registry and moves
 * its champion by hand (no Spark). {@code show N} (or {@code show champion}) prints a version;
 * {@code promote N [--force] [--reason TEXT]} makes version N champion (a version blocked by drift
 * only with --force); {@code rollback [--to N] [--reason TEXT]} returns to the champion before the
 * current one (or to former champion N). Moves take the registry lock like a retrain run.
 */
public final class RegistryJob {
    static final List<String> COMMANDS = List.of("list", "show", "promote", "rollback");

    private RegistryJob() {
    }

    public static void main(String[] args) {
        try {
            System.out.print(run(args));
        } catch (RegistryLock.HeldException e) {
            System.err.println("lamina registry: LOCKED, nothing written: " + e.getMessage());
            System.exit(RetrainOutcome.LOCKED);
        } catch (Throwable t) {
            Jobs.fail("registry", t);
        }
    }

    /** Runs the command and returns what it prints. */
    public static String run(String[] args) throws IOException {
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            throw new IllegalArgumentException("registry " + (args.length == 0 ? "" : args[0]) + " (expected one of: "
                    + String.join(", ", COMMANDS) + ")");
        }
        String command = args[0];
        int first = 1;
        String target = null;
        if (args.length > 1 && !args[1].startsWith("--")) {
            target = args[1];
            first = 2;
        }
        JobArgs parsed = JobArgs.parse(Arrays.copyOfRange(args, first, args.length), Set.of("registry", "to", "reason"),
                Set.of("force"));
        ModelRegistry registry = ModelRegistry.open(parsed.required("registry"), new Configuration());
        return switch (command) {
            case "list" -> list(registry);
            case "show" -> show(registry, target == null ? "champion" : target);
            case "promote" -> promote(registry, version(target, "registry promote N"), parsed);
            default -> rollback(registry, parsed);
        };
    }

    private static int version(String text, String usage) {
        if (text == null) {
            throw new IllegalArgumentException(usage + " : no version given (expected: a version number, e.g. 3)");
        }
        try {
            return Integer.parseInt(text.startsWith("v") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage + " : " + text + " (expected: a version number, e.g. 3)", e);
        }
    }

    static String list(ModelRegistry registry) throws IOException {
        List<RegistryVersion> versions = registry.versions();
        Optional<Integer> champion = registry.champion();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "registry %s: %d version(s), champion %s%n",
                registry.url(), versions.size(), champion.map(v -> "v" + v).orElse("none")));
        if (!versions.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "  %-6s %-20s %-20s %-9s %-16s %-7s %-6s %8s%n", "version", "created",
                    "run id", "outcome", "metric", "parent", "drift", "rows"));
        }
        for (RegistryVersion v : versions) {
            String mark = champion.isPresent() && champion.get() == v.version() ? "*" : " ";
            sb.append(String.format(Locale.ROOT, "%s %-6s %-20s %-20s %-9s %-16s %-7s %-6s %8d%n", mark, "v" + v.version(),
                    seconds(v.created()), v.runId(), v.outcome(), String.format(Locale.ROOT, "%s %.4f", v.metric().replace("test_", ""),
                            v.value()), v.parent() == 0 ? "-" : "v" + v.parent(), v.info().getOrDefault("driftLevel", "-"),
                    v.rows()));
        }
        List<ChampionPointer.Entry> history = registry.pointer().history();
        if (!history.isEmpty()) {
            sb.append("champion pointer (newest last):\n");
        }
        int before = 0;
        for (ChampionPointer.Entry e : history) {
            sb.append(String.format(Locale.ROOT, "  #%d %s %-14s %s -> v%d  (%s: %s)%n", e.seq(), seconds(e.time()), e.action(),
                    before == 0 ? "  " : "v" + before, e.version(), e.runId(), e.reason()));
            before = e.version();
        }
        return sb.toString();
    }

    /** An ISO-8601 instant to the second, for tables. */
    private static String seconds(String instant) {
        return instant.length() > 19 && instant.charAt(10) == 'T' ? instant.substring(0, 19) + "Z" : instant;
    }

    private static String show(ModelRegistry registry, String which) throws IOException {
        int n = which.equals("champion") ? registry.champion().orElseThrow(() -> new IllegalArgumentException(
                "registry show champion : the registry has no champion")) : version(which, "registry show N");
        RegistryVersion v = registry.version(n);
        Map<String, Object> out = new LinkedHashMap<>(v.info());
        out.put("dir", registry.dir(n));
        out.put("champion", registry.champion().map(c -> c == n).orElse(false));
        registry.versionFile(n, ModelRegistry.DECISION_JSON).ifPresent(d -> out.put("decision", brief(d)));
        DataProfile profile = registry.profile(n);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("rows", profile.rows());
        p.put("features", profile.features().size());
        p.put("classes", profile.classes());
        p.put("labelCounts", Arrays.stream(profile.label().counts()).boxed().toList());
        out.put("profile", p);
        return Json.writePretty(out) + "\n";
    }

    private static Map<String, Object> brief(Map<String, Object> decision) {
        Map<String, Object> m = new LinkedHashMap<>(decision);
        m.remove("challengerMetrics");
        return m;
    }

    private static String promote(ModelRegistry registry, int n, JobArgs parsed) throws IOException {
        RegistryVersion v = registry.version(n);
        boolean force = parsed.flag("force");
        if (v.outcome().equals("blocked") && !force) {
            throw new IllegalArgumentException("registry promote " + n + " : v" + n + " was blocked by drift ("
                    + v.info().get("reason") + ") (expected: --force to promote it anyway)");
        }
        String reason = parsed.options().getOrDefault("reason", "promoted by hand");
        try (RegistryLock lock = registry.lock("registry-promote", Duration.ofMinutes(5))) {
            if (registry.champion().map(c -> c == n).orElse(false)) {
                throw new IllegalArgumentException("registry promote " + n + " : v" + n + " is the champion already");
            }
            lock.verifyHeld();
            registry.pointer().promote(n, force, "registry promote", reason, registry.clock().instant());
        }
        return "lamina registry: v" + n + " is champion\n" + list(registry);
    }

    private static String rollback(ModelRegistry registry, JobArgs parsed) throws IOException {
        int to = parsed.options().containsKey("to") ? version(parsed.options().get("to"), "registry rollback --to N") : 0;
        String reason = parsed.options().getOrDefault("reason", "rolled back by hand");
        ChampionPointer.Entry e;
        try (RegistryLock lock = registry.lock("registry-rollback", Duration.ofMinutes(5))) {
            lock.verifyHeld();
            e = registry.pointer().rollback(to, "registry rollback", reason, registry.clock().instant());
        }
        return "lamina registry: rolled back to v" + e.version() + "\n" + list(registry);
    }
}
