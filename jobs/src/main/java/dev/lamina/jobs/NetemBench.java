package dev.lamina.jobs;

import dev.lamina.engine.io.Json;
import dev.lamina.ps.protocol.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --suite netem [--model lenet|mlp] [--bandwidths 0,1000,100] [--delay-ms 1]
 * [--modes sync,local-sgd] [--compressions none,fp16,int8,topk,threshold] [--steps N] [--workers N]
 * [--json FILE] [--set key=value]...}: training over an emulated network of real hosts. The parameter
 * server and each worker run as plain JVMs in network namespaces of their own joined through a bridge
 * ({@link NetworkNamespaces}); for each link bandwidth (0 = unshaped) every mode and compression trains
 * the job file's model for the same steps ({@link NetemChild}). Prints a table and one JSON line per run
 * with samples/s, the per-step split and bytes, and the ratio to the same run unshaped. Needs root.
 */
final class NetemBench {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

    private NetemBench() {
    }

    static Map<String, Object> run(String[] args) throws Exception {
        NetemPlan plan = NetemPlan.parse(args);
        if (!plan.child().isEmpty()) {
            NetemChild.run(plan);
            return Map.of();
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("bench --suite netem runs as root (it creates network namespaces and"
                    + " shapes their links with tc); user.name is " + System.getProperty("user.name"));
        }
        Path logs = Files.createTempDirectory("lamina-netem-");
        Path secret = logs.resolve("job.secret");
        Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, Secrets.toHex(Secrets.newSecret()));
        System.out.println("lamina bench netem: " + plan.model() + ", " + plan.workers() + " workers, " + plan.steps()
                + " steps per run; load average " + ScalingBench.loadAverage() + "; child logs in " + logs);
        // The workers read the data set from the cache: inside their namespaces nothing can be fetched.
        JobConfig first = plan.jobConfig(plan.runs().get(0));
        new DataLoader(first.data(), first.model()).images(true);
        List<Map<String, Object>> results = new ArrayList<>();
        try (NetworkNamespaces net = NetworkNamespaces.create(plan.workers(), logs)) {
            for (int p = 0; p < plan.bandwidths().size(); p++) {
                double mbits = plan.bandwidths().get(p);
                net.shape(mbits, plan.delayMs());
                System.out.println("lamina bench netem: links " + (mbits > 0 ? mbits + " Mbit/s" : "unshaped")
                        + (mbits > 0 ? (net.delayEmulated() ? ", one-way delay " + plan.delayMs() + " ms ("
                        + net.shaper() + ")" : ", no added delay (" + net.noDelayReason() + "; rate shaped with tbf)")
                        : ""));
                results.addAll(phase(plan, net, mbits, logs, secret.toString(), plan.portBase() + 100 * p));
                System.out.println("  server link qdisc: " + net.serverLinkStatistics());
            }
        }
        withRatios(results);
        printTable(results);
        StringBuilder lines = new StringBuilder();
        for (Map<String, Object> r : results) {
            lines.append(Json.write(r)).append('\n');
        }
        System.out.print(lines);
        if (!plan.json().isEmpty()) {
            Files.writeString(Path.of(plan.json()), lines.toString(), StandardCharsets.UTF_8);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("suite", "netem");
        summary.put("runs", results.size());
        summary.put("results", results);
        return summary;
    }

    /** One bandwidth: a server and the workers in their namespaces, every run of the plan in turn. */
    private static List<Map<String, Object>> phase(NetemPlan plan, NetworkNamespaces net, double mbits, Path logs,
                                                   String secret, int ports) throws IOException, InterruptedException {
        String tag = mbits > 0 ? String.format(Locale.ROOT, "%.0fM", mbits) : "unshaped";
        List<LineProcess> workers = new ArrayList<>();
        List<Map<String, Object>> results = new ArrayList<>();
        try (LineProcess server = LineProcess.start("ps " + tag, NetworkNamespaces.exec(net.serverNamespace()),
                plan.childArgs("server", secret, ports), logs.resolve("ps-" + tag + ".log").toFile())) {
            try {
                for (int w = 0; w < plan.workers(); w++) {
                    workers.add(LineProcess.start("w" + w + " " + tag, NetworkNamespaces.exec(net.workerNamespace(w)),
                            plan.childArgs("worker:" + w, secret, ports), logs.resolve("w" + w + "-" + tag + ".log").toFile()));
                }
                List<NetemPlan.Run> runs = plan.runs();
                for (int i = 0; i < runs.size(); i++) {
                    server.expect(NetemChild.READY + i, RUN_TIMEOUT);
                    for (LineProcess w : workers) {
                        w.send("go " + i);
                    }
                    List<Map<String, Object>> stats = new ArrayList<>();
                    for (LineProcess w : workers) {
                        stats.add(parse(w.expect(NetemChild.RESULT + i + " ", RUN_TIMEOUT)));
                    }
                    server.send("close " + i);
                    if (runs.get(i).measured()) {
                        Map<String, Object> r = result(plan, runs.get(i), mbits, net.delayEmulated(), net.shaper(),
                                stats);
                        System.out.printf("  %-22s %-9s %,10.0f samples/s%n", runs.get(i).name(), tag,
                                ((Number) r.get("samples_per_second")).doubleValue());
                        results.add(r);
                    }
                }
            } finally {
                workers.forEach(LineProcess::close);
            }
        }
        return results;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String json) {
        return (Map<String, Object>) Json.parse(json);
    }

    private static double sum(List<Map<String, Object>> stats, String key) {
        return stats.stream().mapToDouble(s -> ((Number) s.get(key)).doubleValue()).sum();
    }

    private static double max(List<Map<String, Object>> stats, String key) {
        return stats.stream().mapToDouble(s -> ((Number) s.get(key)).doubleValue()).max().orElse(Double.NaN);
    }

    /** One run's line: samples/s over the slowest worker's time, per-step split and bytes per worker. */
    static Map<String, Object> result(NetemPlan plan, NetemPlan.Run run, double mbits, boolean delayEmulated,
                                      String shaper, List<Map<String, Object>> stats) {
        int w = stats.size();
        double steps = run.steps();
        Map<String, Object> m = ScalingResult.start("lamina", plan.model(), w, run.mode());
        m.remove("epoch_seconds");
        m.remove("time_to_95_seconds");
        m.remove("time_to_97_seconds");
        m.remove("setup_seconds");
        m.put("compression", run.compression());
        m.put("bandwidth_mbit", mbits > 0 ? mbits : null);
        m.put("delay_ms", mbits > 0 && delayEmulated ? plan.delayMs() : 0.0);
        m.put("shaper", mbits <= 0 ? "none" : shaper);
        double task = max(stats, "task_seconds");
        m.put("samples_per_second", sum(stats, "samples") / task);
        m.put("step_seconds", task / steps);
        m.put("compute_seconds_per_step", sum(stats, "compute_seconds") / w / steps);
        m.put("comm_seconds_per_step", (sum(stats, "comm_seconds") - sum(stats, "wait_seconds")) / w / steps);
        m.put("wait_seconds_per_step", sum(stats, "wait_seconds") / w / steps);
        m.put("server_apply_seconds_per_step", max(stats, "apply_seconds") / steps);
        m.put("bytes_sent_per_step", sum(stats, "bytes_sent") / w / steps);
        m.put("bytes_received_per_step", sum(stats, "bytes_received") / w / steps);
        m.put("steps", run.steps());
        m.put("batch_per_worker", ((Number) stats.get(0).get("samples")).intValue() / run.steps());
        m.put("sync_every", ((Number) stats.get(0).get("sync_every")).intValue());
        m.put("parameters", ((Number) stats.get(0).get("parameters")).intValue());
        m.put("mean_loss", sum(stats, "mean_loss") / w);
        m.put("load_average", ScalingBench.loadAverage());
        return m;
    }

    /** Adds each run's samples/s relative to the same mode and compression unshaped, when measured. */
    static void withRatios(List<Map<String, Object>> results) {
        for (Map<String, Object> r : results) {
            for (Map<String, Object> base : results) {
                if (base.get("bandwidth_mbit") == null && base.get("mode").equals(r.get("mode"))
                        && base.get("compression").equals(r.get("compression"))) {
                    r.put("relative_to_unshaped", ((Number) r.get("samples_per_second")).doubleValue()
                            / ((Number) base.get("samples_per_second")).doubleValue());
                }
            }
        }
    }

    private static void printTable(List<Map<String, Object>> results) {
        System.out.printf("%-10s %-10s %9s %12s %10s %10s %10s %10s %12s %10s%n", "mode", "compress", "Mbit/s",
                "samples/s", "step_ms", "compute", "comm", "wait", "sent_KB/st", "vs_unshap");
        for (Map<String, Object> r : results) {
            System.out.printf(Locale.ROOT, "%-10s %-10s %9s %,12.0f %10.2f %10.2f %10.2f %10.2f %12.1f %10s%n",
                    r.get("mode"), r.get("compression"), r.get("bandwidth_mbit") == null ? "-" : r.get("bandwidth_mbit"),
                    num(r, "samples_per_second"), 1e3 * num(r, "step_seconds"), 1e3 * num(r, "compute_seconds_per_step"),
                    1e3 * num(r, "comm_seconds_per_step"), 1e3 * num(r, "wait_seconds_per_step"),
                    num(r, "bytes_sent_per_step") / 1e3, r.get("relative_to_unshaped") == null ? "-"
                            : String.format(Locale.ROOT, "%.2f", num(r, "relative_to_unshaped")));
        }
    }

    private static double num(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).doubleValue();
    }
}
