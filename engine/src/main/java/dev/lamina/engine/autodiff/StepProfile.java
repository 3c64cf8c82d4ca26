package dev.lamina.engine.autodiff;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wall time and heap bytes allocated by the running thread per compiled step, summed over every plan
 * of the process, when the JVM runs with {@code -Dlamina.profile=true} (off by default: then plans
 * time nothing). The bytes say which op boxes vectors when a training step allocates. A step is keyed by its
 * node as printed ({@code op#id(name)[shape]}), so the forward and backward steps of one layer are
 * told apart and plans compiled from one graph share their counters. {@code bench --model ...}
 * prints the table when profiling is on.
 */
public final class StepProfile {
    /** Whether plans time their steps (system property {@code lamina.profile}). */
    public static final boolean ENABLED = Boolean.getBoolean("lamina.profile");
    private static final Map<String, Counters> TIMERS = new ConcurrentHashMap<>();

    private StepProfile() {
    }

    /** One step's totals. */
    record Counters(LongAdder nanos, LongAdder bytes) {
    }

    static Counters timer(Node step) {
        return TIMERS.computeIfAbsent(step.toString(), k -> new Counters(new LongAdder(), new LongAdder()));
    }

    /** One step's total time and allocated bytes. */
    public record Entry(String step, long nanos, long bytes) {
    }

    /** The steps timed so far, longest first. */
    public static List<Entry> entries() {
        List<Entry> list = new ArrayList<>();
        TIMERS.forEach((k, v) -> list.add(new Entry(k, v.nanos().sum(), v.bytes().sum())));
        list.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
        return list;
    }

    /** Forgets what was timed (e.g. after a warm-up). */
    public static void reset() {
        TIMERS.values().forEach(c -> {
            c.nanos().reset();
            c.bytes().reset();
        });
    }
}
