package dev.lamina.jobs;

import dev.lamina.engine.nn.LayerConfig;
import dev.lamina.engine.nn.LinearConfig;
import dev.lamina.engine.nn.ModelSpec;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code bench --suite scaling [--model mlp|lenet] [--runs 1:sync,2:sync,1:local-sgd,2:local-sgd]
 * [--epochs N] [--repeats N] [--mllib 50,100,150|off] [--mllib-resolution N] [--config FILE] [--cores N]
 * [--json FILE] [--set key=value]...}: on local Spark, trains the model of the job file
 * ({@code conf/scaling-<model>.yaml} by default) with each listed worker count and mode, and Spark
 * MLlib's multilayer perceptron with the same layer sizes on the same data (MLP only); each run in its
 * own JVM (see {@link LaminaScalingRun}, {@link MllibScalingRun}). Prints a table, the ratio of each
 * mode's largest worker count to its 1-worker run, then one JSON line per run ({@link ScalingResult#KEYS}
 * first).
 *
 * <p>{@code --repeats N} runs the Lamina runs N times, every other time in reverse order (A B, B A, A B,
 * ...), so a slow or fast spell of a shared host falls on both sides of a ratio alike; the ratio is then
 * of the mean samples/s, with each repeat's own ratio beside it.
 */
final class ScalingBench {
    private static final Set<String> OPTIONS = Set.of("suite", "model", "runs", "epochs", "repeats", "mllib",
            "mllib-resolution", "config", "cores", "json", "child");

    /** One Lamina run: workers and mode. */
    record Run(int workers, String mode) {
        Run {
            if (workers < 1) {
                throw new IllegalArgumentException("--runs workers : " + workers + " (expected: >= 1)");
            }
            if (!dev.lamina.worker.TrainingConfig.MODES.contains(mode)) {
                throw new IllegalArgumentException("--runs mode : " + mode + " (expected: one of "
                        + dev.lamina.worker.TrainingConfig.MODES + ")");
            }
        }

        /** {@code workers:mode}, e.g. {@code 2:local-sgd}. */
        static Run parse(String text) {
            String[] parts = text.trim().split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("--runs entry : " + text + " (expected: workers:mode, e.g. 2:sync)");
            }
            try {
                return new Run(Integer.parseInt(parts[0]), parts[1].toLowerCase(Locale.ROOT));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--runs entry : " + text + " (expected: an integer worker count)", e);
            }
        }

        String label() {
            return workers + ":" + mode;
        }
    }

    /**
     * What to run, validated.
     *
     * @param model      {@code mlp} or {@code lenet} (names the default job file)
     * @param config     the job file of the Lamina runs
     * @param overrides  {@code --set} overrides for the Lamina runs
     * @param runs       the Lamina runs, in order
     * @param epochs     epochs of each Lamina run; 0 = the job file's
     * @param repeats    how many times the Lamina runs go, every other time in reverse order; >= 1
     * @param mllib      MLlib fit iteration counts, ascending; empty = no MLlib run
     * @param resolution MLlib: bracket width in iterations below which time-to-accuracy is not refined
     * @param cores      local Spark cores of every run (local[cores])
     * @param json       where to write the JSON lines too; empty = only print them
     * @param child      set in a child JVM: {@code lamina:W:MODE} or {@code mllib}; empty in the parent
     */
    record Options(String model, Path config, List<String> overrides, List<Run> runs, int epochs, int repeats,
                   List<Integer> mllib, int resolution, int cores, String json, String child) {
        Options {
            if (!List.of("mlp", "lenet").contains(model)) {
                throw new IllegalArgumentException("--model " + model + " (expected: mlp or lenet)");
            }
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("--config " + config + " (expected: an existing job file; the"
                        + " default is conf/scaling-" + model + ".yaml in the project)");
            }
            if (epochs < 0 || repeats < 1 || resolution < 1 || cores < 1) {
                throw new IllegalArgumentException("--epochs " + epochs + ", --repeats " + repeats
                        + ", --mllib-resolution " + resolution + ", --cores " + cores
                        + " (expected: >= 0, >= 1, >= 1, >= 1)");
            }
            for (int i = 0; i < mllib.size(); i++) {
                if (mllib.get(i) < 1 || (i > 0 && mllib.get(i) <= mllib.get(i - 1))) {
                    throw new IllegalArgumentException("--mllib " + mllib + " (expected: ascending iteration counts"
                            + " >= 1, or off)");
                }
            }
            overrides = List.copyOf(overrides);
            runs = List.copyOf(runs);
            mllib = List.copyOf(mllib);
        }

        static Options parse(String[] args) {
            JobArgs parsed = JobArgs.parse(args, OPTIONS);
            Map<String, String> o = parsed.options();
            String model = o.getOrDefault("model", "mlp").toLowerCase(Locale.ROOT);
            List<Run> runs = new ArrayList<>();
            String runsText = o.getOrDefault("runs", "1:sync,2:sync,1:local-sgd,2:local-sgd");
            for (String r : runsText.equals("none") ? new String[0] : runsText.split(",")) {
                runs.add(Run.parse(r));
            }
            String mllibText = o.getOrDefault("mllib", model.equals("mlp") ? "50,100,150" : "off");
            List<Integer> mllib = new ArrayList<>();
            if (!mllibText.equals("off")) {
                for (String k : mllibText.split(",")) {
                    mllib.add(JobArgs.integer(Map.of("mllib", k.trim()), "mllib", 0));
                }
            }
            Path config = o.containsKey("config") ? Path.of(o.get("config"))
                    : projectFile("conf/scaling-" + model + ".yaml");
            return new Options(model, config.toAbsolutePath(), parsed.overrides(), runs, JobArgs.integer(o, "epochs", 0),
                    JobArgs.integer(o, "repeats", 1), mllib, JobArgs.integer(o, "mllib-resolution", 25), JobArgs.integer(o, "cores", 2),
                    o.getOrDefault("json", ""), o.getOrDefault("child", ""));
        }

        Options withChild(String run) {
            return new Options(model, config, overrides, runs, epochs, repeats, mllib, resolution, cores, json, run);
        }

        /** The arguments a child JVM gets for {@code child}. */
        List<String> childArgs(String childRun) {
            List<String> a = new ArrayList<>(List.of("bench", "--suite", "scaling", "--child", childRun, "--model", model,
                    "--config", config.toString(), "--epochs", Integer.toString(epochs), "--cores", Integer.toString(cores),
                    "--mllib", mllib.isEmpty() ? "off" : String.join(",", mllib.stream().map(String::valueOf).toList()),
                    "--mllib-resolution", Integer.toString(resolution)));
            for (String s : overrides) {
                a.add("--set");
                a.add(s);
            }
            return a;
        }

        /** The job file with the run's workers and mode (and epochs, when given). */
        JobConfig jobConfig(int workers, String mode) throws IOException {
            List<String> all = new ArrayList<>(overrides);
            all.add("training.workers=" + workers);
            all.add("training.mode=" + mode);
            if (epochs > 0) {
                all.add("training.epochs=" + epochs);
            }
            return new ConfigLoader(Environment.defaultCache()).load(config, all);
        }
    }

    private ScalingBench() {
    }

    /** Runs the suite (or, in a child JVM, one run of it); returns a summary for the caller. */
    static Map<String, Object> run(String[] args) throws Exception {
        Options options = Options.parse(args);
        if (!options.child().isEmpty()) {
            ScalingResult result = child(options);
            System.out.println(ScalingResult.MARKER + result.json());
            return result.values();
        }
        Path logs = Files.createTempDirectory("lamina-scaling-");
        System.out.println("lamina bench scaling: " + options.model() + " from " + options.config() + "; load average "
                + loadAverage() + "; child logs in " + logs);
        List<String> children = children(options);
        List<ScalingResult> results = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < children.size(); i++) {
            String child = children.get(i);
            int repeat = options.repeats() > 1 && child.startsWith("lamina:") ? repeat(options, i) : 0;
            System.out.println("run " + (i + 1) + "/" + children.size() + ": " + child
                    + (repeat > 0 ? " (repeat " + repeat + ")" : ""));
            ScalingResult r = runChild(options, child, logs);
            if (repeat > 0) {
                Map<String, Object> m = new LinkedHashMap<>(r.values());
                m.put("repeat", repeat);
                r = new ScalingResult(m);
            }
            results.add(r);
            lines.append(r.json()).append('\n');
            if (!options.json().isEmpty()) {
                // written after every run, so an interrupted bench keeps the runs it finished
                Files.writeString(Path.of(options.json()), lines.toString(), StandardCharsets.UTF_8);
            }
        }
        System.out.println(ScalingResult.header());
        for (ScalingResult r : results) {
            System.out.println(r.row());
        }
        ratios(results).forEach(System.out::println);
        System.out.print(lines);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("suite", "scaling");
        summary.put("runs", results.size());
        summary.put("load_average", loadAverage());
        return summary;
    }

    /**
     * The child runs in order: the Lamina runs {@code repeats} times, every other time reversed (A B, B A,
     * ...), then MLlib once.
     */
    static List<String> children(Options options) {
        List<String> children = new ArrayList<>();
        for (int repeat = 0; repeat < options.repeats(); repeat++) {
            List<Run> order = new ArrayList<>(options.runs());
            if (repeat % 2 == 1) {
                Collections.reverse(order);
            }
            order.forEach(r -> children.add("lamina:" + r.label()));
        }
        if (!options.mllib().isEmpty()) {
            children.add("mllib");
        }
        return children;
    }

    /** The repeat (from 1) that child run {@code index} of {@link #children} belongs to. */
    private static int repeat(Options options, int index) {
        return index / Math.max(1, options.runs().size()) + 1;
    }

    private static ScalingResult runChild(ScalingBench.Options options, String childRun, Path logs) throws Exception {
        File log = logs.resolve(childRun.replace(':', '-') + ".log").toFile();
        String line = ChildJvm.run(List.of(), options.childArgs(childRun), childRun, log)
                .orElseThrow(() -> new IllegalStateException(childRun + ": the child JVM printed no result (log: "
                        + log + ")"));
        return ScalingResult.parse(line);
    }

    private static ScalingResult child(Options options) throws Exception {
        String load = loadAverage();
        ScalingResult result;
        if (options.child().equals("mllib")) {
            JobConfig config = options.jobConfig(options.cores(), "sync");
            result = MllibScalingRun.run(config, options.mllib(), options.resolution(), options.cores(),
                    layerSizes(config.model()));
        } else {
            String[] parts = options.child().split(":", 3);
            if (parts.length != 3 || !parts[0].equals("lamina")) {
                throw new IllegalArgumentException("--child " + options.child() + " (expected: lamina:W:MODE or mllib)");
            }
            Run run = Run.parse(parts[1] + ":" + parts[2]);
            result = LaminaScalingRun.run(options.jobConfig(run.workers(), run.mode()), options.model(), options.cores());
        }
        Map<String, Object> m = new LinkedHashMap<>(result.values());
        m.put("load_average", load + " -> " + loadAverage());
        return new ScalingResult(m);
    }

    /**
     * Per mode of the Lamina runs: the largest worker count's mean samples/s over the 1-worker run's, and
     * each repeat's own ratio (the runs of one repeat with the same {@code repeat}, or all when there is
     * one repeat).
     */
    static List<String> ratios(List<ScalingResult> results) {
        Map<String, TreeMap<Integer, List<Double>>> byMode = new LinkedHashMap<>();
        for (ScalingResult r : results) {
            if (!"lamina".equals(r.values().get("framework"))) {
                continue;
            }
            byMode.computeIfAbsent((String) r.values().get("mode"), m -> new TreeMap<>())
                    .computeIfAbsent(((Number) r.values().get("workers")).intValue(), w -> new ArrayList<>())
                    .add(r.number("samples_per_second"));
        }
        List<String> lines = new ArrayList<>();
        byMode.forEach((mode, byWorkers) -> {
            if (!byWorkers.containsKey(1) || byWorkers.size() < 2) {
                return;
            }
            int most = byWorkers.lastKey();
            List<Double> one = byWorkers.get(1);
            List<Double> many = byWorkers.get(most);
            StringBuilder each = new StringBuilder();
            for (int i = 0; i < Math.min(one.size(), many.size()); i++) {
                each.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2fx", many.get(i) / one.get(i)));
            }
            lines.add(String.format(Locale.ROOT, "%s: %d workers / 1 = %,.0f / %,.0f samples/s = %.2fx%s", mode, most,
                    mean(many), mean(one), mean(many) / mean(one), one.size() > 1 ? " (each repeat: " + each + ")" : ""));
        });
        return lines;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** An MLP's layer sizes (input, each linear layer's units), for MLlib; other models are refused. */
    static int[] layerSizes(ModelSpec spec) {
        List<Integer> sizes = new ArrayList<>(List.of(spec.inputSize()));
        for (LayerConfig layer : spec.layers()) {
            if (layer instanceof LinearConfig linear) {
                sizes.add(linear.units());
            } else if (!List.of("relu", "sigmoid", "tanh").contains(layer.type())) {
                throw new IllegalArgumentException("--mllib with a " + layer.type() + " layer (expected: an MLP of"
                        + " linear layers and activations, which MLlib's MultilayerPerceptronClassifier can mirror;"
                        + " use --mllib off)");
            }
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** /proc/loadavg's 1, 5 and 15 minute figures, or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * {@code relative} in the working directory, else in the project this class was built in (the
     * directory above {@code jobs/target}).
     */
    static Path projectFile(String relative) {
        Path here = Path.of(relative);
        if (Files.exists(here)) {
            return here;
        }
        try {
            Path p = Path.of(ScalingBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = p.getParent(); dir != null; dir = dir.getParent()) {
                if (Files.exists(dir.resolve(relative))) {
                    return dir.resolve(relative);
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall through: the caller reports the missing file
        }
        return here;
    }
}
