package dev.lamina.jobs;

import dev.lamina.driver.data.BrownCorpus;
import dev.lamina.driver.data.LabeledImages;
import dev.lamina.driver.data.Mnist;
import dev.lamina.engine.autodiff.StepProfile;
import dev.lamina.engine.io.Json;
import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.nn.TrainingStep;
import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench --model mlp|lenet|transformer|lstm --threads N [--batch B] [--steps S] [--warmup W]
 * [--rounds R [--go FIFO --done FIFO]]}:
 * trains a model in this process with the engine alone (no Spark, no parameter server) on real
 * MNIST and reports training throughput. The last line of output is one JSON object with
 * {@code samples_per_second}, {@code gflops} (achieved, from the analytic FLOP count of
 * {@link BenchModel#flopsPerSample}), {@code allocated_bytes_per_step} (over the measured steps, on
 * this thread and the GEMM pool's threads), {@code threads}, {@code batch} and {@code model}.
 * {@code benchmarks/pytorch/bench_torch.py} prints the same keys for PyTorch.
 *
 * <p>With {@code --rounds R} the measured steps run as R blocks, whose times the report lists
 * ({@code block_seconds}). With {@code --go} and {@code --done} (named pipes a coordinator holds) each
 * block, and the warm-up before them, starts when a byte arrives on {@code go} and ends by writing one
 * to {@code done}: several contenders in separate processes then take turns block by block, so that
 * the load of the shared machine falls on all of them alike and ratios can be taken per round
 * ({@code benchmarks/run-peer-comparison.sh}).
 */
public final class ModelBenchJob {

    /**
     * The least time the default warm-up takes. C2 compiles the kernels a second or so into the run;
     * until then their C1 code boxes every vector. The MLP's 500 steps take 0.2 s, so its measured
     * steps started on C1 code and reported 18-24 KB allocated per step (0 with 1,500 warm-up steps).
     */
    private static final long WARM_UP_NANOS = 3_000_000_000L;

    private static final Set<String> OPTIONS = Set.of("model", "threads", "batch", "steps", "warmup", "seed", "rounds",
            "go", "done");

    private ModelBenchJob() {
    }

    public static void main(String[] args) {
        try {
            System.out.println(Json.write(run(args)));
        } catch (Throwable t) {
            Jobs.fail("bench", t);
        }
    }

    /** Runs the benchmark and returns the report (for tests and embedding); errors propagate. */
    public static Map<String, Object> run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, OPTIONS);
        BenchModel which = BenchModel.forName(parsed.options().getOrDefault("model", "mlp"));
        int threads = intOption(parsed, "threads", 1, 1);
        int batch = intOption(parsed, "batch", which.defaultBatch(), 1);
        int steps = intOption(parsed, "steps", 2000, 1);
        // without --warmup: 500 steps, then more until WARM_UP_NANOS have passed (see there)
        boolean timedWarmup = !parsed.options().containsKey("warmup");
        int warmup = intOption(parsed, "warmup", 500, 0);
        long seed = intOption(parsed, "seed", 1, 0);
        int rounds = intOption(parsed, "rounds", 1, 1);
        if (rounds > steps) {
            throw new IllegalArgumentException("--rounds : " + rounds + " (expected: <= --steps, " + steps + ")");
        }
        String go = parsed.options().get("go");
        String done = parsed.options().get("done");
        if ((go == null) != (done == null)) {
            throw new IllegalArgumentException("--go : " + go + ", --done : " + done
                    + " (expected: both named pipes, or neither)");
        }
        ModelSpec spec = which.spec();
        Batches data = which.text()
                ? new TextBatches(java.nio.file.Files.readAllBytes(BrownCorpus.textFiles(
                        Path.of(Environment.defaultCache())).train()), batch, spec.input().dim(0), seed)
                : new MnistBatches(Mnist.load(Path.of(Environment.defaultCache()), true), batch);

        Model model = Model.of(spec);
        float[] params = model.initialParameters(seed);
        float[] grads = new float[model.parameterCount()];
        Optimizer optimizer = which.optimizer().create(model.parameterCount());
        TrainingStep step = model.trainingStep(batch, params, grads, threads);

        try (Turns turns = go == null ? Turns.NONE : Turns.open(Path.of(go), Path.of(done))) {
            turns.await();
            long warmupStart = System.nanoTime();
            float firstLoss = train(step, data, optimizer, params, grads, warmup);
            while (timedWarmup && System.nanoTime() - warmupStart < WARM_UP_NANOS) {
                firstLoss = train(step, data, optimizer, params, grads, 100);
                warmup += 100;
            }
            turns.pass();
            System.out.printf("bench %s: %d threads, batch %d, %s; warm-up %d steps, loss %.4f%n",
                    which.label(), threads, batch, KernelProvider.description(), warmup, firstLoss);
            StepProfile.reset();
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long[] ids = threadIds(mx, threads);
            long bytes = 0;
            long nanos = 0;
            float loss = Float.NaN;
            List<Double> blockSeconds = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                int blockSteps = steps / rounds + (r < steps % rounds ? 1 : 0);
                turns.await();
                long bytesBefore = allocated(mx, ids);
                long start = System.nanoTime();
                loss = train(step, data, optimizer, params, grads, blockSteps);
                long blockNanos = System.nanoTime() - start;
                bytes += allocated(mx, ids) - bytesBefore;
                turns.pass();
                nanos += blockNanos;
                blockSeconds.add(round(blockNanos / 1e9, 6));
            }
            if (StepProfile.ENABLED) {
                printProfile(nanos, steps);
            }
            return report(which, spec, threads, batch, steps, nanos, bytes, loss, blockSeconds);
        }
    }

    private static Map<String, Object> report(BenchModel which, ModelSpec spec, int threads, int batch, int steps,
                                              long nanos, long bytes, float loss, List<Double> blockSeconds) {

        double seconds = nanos / 1e9;
        double samplesPerSecond = (double) steps * batch / seconds;
        long flops = BenchModel.flopsPerSample(spec);
        System.out.printf("bench %s: %d steps in %.3f s, loss %.4f, %.0f samples/s%n",
                which.label(), steps, seconds, loss, samplesPerSecond);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", which.label());
        report.put("threads", (long) threads);
        report.put("batch", (long) batch);
        report.put("steps", (long) steps);
        report.put("samples_per_second", round(samplesPerSecond, 1));
        if (which.text()) {
            report.put("tokens_per_second", round(samplesPerSecond * spec.input().dim(0), 1));
        }
        report.put("gflops", round(samplesPerSecond * flops / 1e9, 2));
        report.put("flops_per_sample", flops);
        report.put("allocated_bytes_per_step", bytes < 0 ? -1L : bytes / steps);
        report.put("loss", round(loss, 4));
        report.put("kernels", KernelProvider.description());
        report.put("java", System.getProperty("java.runtime.version"));
        if (blockSeconds.size() > 1) {
            report.put("block_seconds", List.copyOf(blockSeconds));
        }
        return report;
    }

    /**
     * Turn-taking with a coordinator over two named pipes: {@link #await} blocks until a byte arrives
     * on {@code go}, {@link #pass} writes one to {@code done}. Opened in that order (the coordinator
     * opens them in the same order, so neither side blocks for ever on the opening).
     */
    private static final class Turns implements AutoCloseable {
        static final Turns NONE = new Turns(null, null);
        private final java.io.InputStream go;
        private final java.io.OutputStream done;

        private Turns(java.io.InputStream go, java.io.OutputStream done) {
            this.go = go;
            this.done = done;
        }

        static Turns open(Path go, Path done) throws java.io.IOException {
            java.io.InputStream in = java.nio.file.Files.newInputStream(go);
            try {
                return new Turns(in, java.nio.file.Files.newOutputStream(done));
            } catch (java.io.IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        void await() throws java.io.IOException {
            if (go != null && go.read() < 0) {
                throw new java.io.IOException("--go pipe closed before this contender's turn (the coordinator stopped)");
            }
        }

        void pass() throws java.io.IOException {
            if (done != null) {
                done.write('.');
                done.flush();
            }
        }

        @Override
        public void close() throws java.io.IOException {
            if (go != null) {
                try {
                    go.close();
                } finally {
                    done.close();
                }
            }
        }
    }

    /**
     * The steps that took at least 0.5% of the measured time or allocated (-Dlamina.profile=true),
     * longest first, with the bytes the step's thread allocated in them per measured step.
     */
    private static void printProfile(long measuredNanos, int measuredSteps) {
        List<StepProfile.Entry> entries = StepProfile.entries();
        long timed = 0;
        Map<String, Long> byOp = new LinkedHashMap<>();
        for (var e : entries) {
            timed += e.nanos();
            byOp.merge(e.step().replaceFirst("#.*", ""), e.nanos(), Long::sum);
        }
        System.out.printf("profile: plan steps %.1f%% of the measured time (the rest: optimizer, batches,"
                + " gradient sums)%n", 100.0 * timed / measuredNanos);
        List<String> kinds = new ArrayList<>();
        byOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(k -> kinds.add(String.format("%s %.1f%%", k.getKey(), 100.0 * k.getValue() / measuredNanos)));
        System.out.println("profile by op: " + String.join(", ", kinds));
        for (var e : entries) {
            if (e.nanos() * 200 >= measuredNanos || e.bytes() > 0) {
                String alloc = e.bytes() > 0 ? String.format("  (%,d bytes per step)", e.bytes() / measuredSteps) : "";
                System.out.printf("  %5.1f%%  %s%s%n", 100.0 * e.nanos() / measuredNanos, e.step(), alloc);
            }
        }
    }

    /** Runs {@code steps} training steps (forward, backward, optimizer); returns the last loss. */
    private static float train(TrainingStep step, Batches data, Optimizer optimizer, float[] params,
                               float[] grads, int steps) {
        float loss = Float.NaN;
        Tensor features = step.features();
        Tensor labels = step.labels();
        for (int s = 0; s < steps; s++) {
            data.next(features.data(), features.offset(), labels.data(), labels.offset());
            loss = step.run();
            optimizer.step(params, grads);
        }
        if (!Float.isFinite(loss)) {
            throw new IllegalStateException("loss : " + loss + " after " + steps + " steps (expected: finite)");
        }
        return loss;
    }

    /**
     * This thread plus the GEMM pool threads serving {@code threads} (named lamina-gemm-N-i) and the
     * threads of a batch split over threads (lamina-part-*).
     */
    private static long[] threadIds(com.sun.management.ThreadMXBean mx, int threads) {
        List<Long> ids = new ArrayList<>(List.of(Thread.currentThread().getId()));
        String prefix = "lamina-gemm-" + threads + "-";
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && (info.getThreadName().startsWith(prefix) || info.getThreadName().startsWith("lamina-part-"))) {
                ids.add(info.getThreadId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /** Bytes allocated so far by the given threads; -1 when the JVM does not count them. */
    private static long allocated(com.sun.management.ThreadMXBean mx, long[] ids) {
        if (!mx.isThreadAllocatedMemorySupported() || !mx.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long sum = 0;
        for (long bytes : mx.getThreadAllocatedBytes(ids)) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    private static int intOption(JobArgs args, String name, int fallback, int min) {
        String v = args.options().get(name);
        if (v == null) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " : " + v + " (expected: an integer >= " + min + ")");
        }
        if (value < min) {
            throw new IllegalArgumentException("--" + name + " : " + value + " (expected: >= " + min + ")");
        }
        return value;
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    /**
     * MNIST images as floats in [0, 1] (pixel / 255, as the Spark featurizer does), converted once,
     * served as consecutive batches that wrap around the data set.
     */
    /** A source of training batches, written straight into a step's input buffers. */
    interface Batches {
        void next(float[] x, int xOff, float[] y, int yOff);
    }

    /**
     * Character windows of a text: features [B, T] are token ids (characters), targets [B, T] the
     * next characters; window starts come from a seeded stream.
     */
    static final class TextBatches implements Batches {
        private final byte[] text;
        private final int batch;
        private final int length;
        private final java.util.SplittableRandom random;

        TextBatches(byte[] text, int batch, int length, long seed) {
            if (text.length < length + 2) {
                throw new IllegalArgumentException("text of " + text.length + " characters (expected: > " + (length + 1) + ")");
            }
            this.text = text;
            this.batch = batch;
            this.length = length;
            this.random = new java.util.SplittableRandom(seed);
        }

        @Override
        public void next(float[] x, int xOff, float[] y, int yOff) {
            for (int b = 0; b < batch; b++) {
                int start = random.nextInt(text.length - length - 1);
                for (int t = 0; t < length; t++) {
                    x[xOff + b * length + t] = text[start + t];
                    y[yOff + b * length + t] = text[start + t + 1];
                }
            }
        }
    }

    static final class MnistBatches implements Batches {
        private final float[] features;
        private final float[] labels;
        private final int width;
        private final int count;
        private final int batch;
        private int next;

        MnistBatches(LabeledImages images, int batch) {
            if (images.count() < batch) {
                throw new IllegalArgumentException("batch : " + batch + " (expected: <= " + images.count() + " samples)");
            }
            this.width = images.rows() * images.cols();
            this.count = images.count();
            this.batch = batch;
            this.features = new float[count * width];
            this.labels = new float[count];
            byte[] pixels = images.pixels();
            for (int i = 0; i < features.length; i++) {
                features[i] = (pixels[i] & 0xFF) * (1f / 255f);
            }
            for (int i = 0; i < count; i++) {
                labels[i] = images.labels()[i];
            }
        }

        /** Copies the next batch into the step's feature [B, 784] and label [B] buffers. */
        @Override
        public void next(float[] x, int xOff, float[] y, int yOff) {
            if (next + batch > count) {
                next = 0;
            }
            System.arraycopy(features, next * width, x, xOff, batch * width);
            System.arraycopy(labels, next, y, yOff, batch);
            next += batch;
        }
    }
}
