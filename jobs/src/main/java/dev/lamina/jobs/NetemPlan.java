package dev.lamina.jobs;

import dev.lamina.ps.compress.PushCodecs;
import dev.lamina.worker.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code bench --suite netem} runs, parsed from its options and the same in the parent and in
 * every child: the model's job file, the link bandwidths, and one training run per mode and
 * compression (after an unmeasured warm-up run that takes the JIT's first compilations).
 *
 * @param model        {@code lenet} or {@code mlp} (names the default job file)
 * @param config       the job file
 * @param overrides    {@code --set} overrides
 * @param bandwidths   link rates in Mbit/s, in order; 0 = not shaped
 * @param delayMs      one-way server-to-worker delay on shaped links (netem, or the TAP relay without it)
 * @param modes        parameter-server modes
 * @param compressions push compressions
 * @param steps        steps per worker per run (local steps in local-sgd)
 * @param workers      worker processes
 * @param json         where to write the JSON lines too; empty = only print
 * @param child        {@code server} or {@code worker:N} in a child; empty in the parent
 * @param secretFile   the job secret's file (children)
 * @param portBase     run i's server listens on portBase + i (children)
 */
record NetemPlan(String model, Path config, List<String> overrides, List<Double> bandwidths, double delayMs,
                 List<String> modes, List<String> compressions, int steps, int workers, String json, String child,
                 String secretFile, int portBase) {
    static final Set<String> OPTIONS = Set.of("suite", "model", "config", "bandwidths", "delay-ms", "modes",
            "compressions", "steps", "workers", "json", "child", "secret-file", "port-base");

    /** One training run: its name, mode and compression, and steps. */
    record Run(String name, String mode, String compression, int steps, boolean measured) {
    }

    NetemPlan {
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("--config " + config + " (expected: an existing job file)");
        }
        for (double b : bandwidths) {
            if (!(b >= 0)) {
                throw new IllegalArgumentException("--bandwidths " + bandwidths + " (expected: Mbit/s >= 0, 0 = unshaped)");
            }
        }
        for (String m : modes) {
            if (!TrainingConfig.MODES.contains(m)) {
                throw new IllegalArgumentException("--modes " + m + " (expected: one of " + TrainingConfig.MODES + ")");
            }
        }
        for (String c : compressions) {
            if (!PushCodecs.NAMES.contains(c)) {
                throw new IllegalArgumentException("--compressions " + c + " (expected: one of " + PushCodecs.NAMES + ")");
            }
        }
        if (steps < 2 || workers < 1 || delayMs < 0 || modes.isEmpty() || compressions.isEmpty() || bandwidths.isEmpty()) {
            throw new IllegalArgumentException("--steps " + steps + ", --workers " + workers + ", --delay-ms " + delayMs
                    + " (expected: >= 2, >= 1, >= 0, and at least one mode, compression and bandwidth)");
        }
        overrides = List.copyOf(overrides);
        bandwidths = List.copyOf(bandwidths);
        modes = List.copyOf(modes);
        compressions = List.copyOf(compressions);
    }

    static NetemPlan parse(String[] args) {
        JobArgs parsed = JobArgs.parse(args, OPTIONS);
        Map<String, String> o = parsed.options();
        String model = o.getOrDefault("model", "lenet").toLowerCase(Locale.ROOT);
        if (!List.of("lenet", "mlp").contains(model)) {
            throw new IllegalArgumentException("--model " + model + " (expected: lenet or mlp)");
        }
        List<Double> bandwidths = new ArrayList<>();
        for (String b : o.getOrDefault("bandwidths", "0,1000,100").split(",")) {
            try {
                bandwidths.add(Double.parseDouble(b.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--bandwidths " + b + " (expected: Mbit/s, 0 = unshaped)", e);
            }
        }
        double delay = JobArgs.decimal(o, "delay-ms", 1);
        Path config = o.containsKey("config") ? Path.of(o.get("config"))
                : ScalingBench.projectFile("conf/scaling-" + model + ".yaml");
        return new NetemPlan(model, config.toAbsolutePath(), parsed.overrides(), bandwidths, delay,
                List.of(o.getOrDefault("modes", "sync,local-sgd").split(",")),
                List.of(o.getOrDefault("compressions", String.join(",", PushCodecs.NAMES)).split(",")),
                JobArgs.integer(o, "steps", model.equals("lenet") ? 160 : 320), JobArgs.integer(o, "workers", 2),
                o.getOrDefault("json", ""), o.getOrDefault("child", ""), o.getOrDefault("secret-file", ""),
                JobArgs.integer(o, "port-base", 7300));
    }

    /** The warm-up run, then one per mode and compression. */
    List<Run> runs() {
        List<Run> runs = new ArrayList<>();
        runs.add(new Run("warmup", "sync", "none", Math.max(2, steps / 2), false));
        for (String mode : modes) {
            for (String compression : compressions) {
                runs.add(new Run(mode + "/" + compression, mode, compression, steps, true));
            }
        }
        return runs;
    }

    /** The job file with the run's mode, compression and workers. */
    JobConfig jobConfig(Run run) throws IOException {
        List<String> all = new ArrayList<>(overrides);
        all.add("training.workers=" + workers);
        all.add("training.mode=" + run.mode());
        all.add("training.compression=" + run.compression());
        return new ConfigLoader(Environment.defaultCache()).load(config, all);
    }

    /** A child's arguments: the plan's own, plus its role and the shared secret and ports. */
    List<String> childArgs(String role, String secret, int ports) {
        List<String> a = new ArrayList<>(List.of("bench", "--suite", "netem", "--child", role, "--model", model,
                "--config", config.toString(), "--bandwidths", "0", "--delay-ms", Double.toString(delayMs),
                "--modes", String.join(",", modes), "--compressions", String.join(",", compressions),
                "--steps", Integer.toString(steps), "--workers", Integer.toString(workers),
                "--secret-file", secret, "--port-base", Integer.toString(ports)));
        for (String s : overrides) {
            a.add("--set");
            a.add(s);
        }
        return a;
    }
}
