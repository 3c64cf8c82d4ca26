package dev.lamina.jobs;

import dev.lamina.driver.data.BrownCorpus;
import dev.lamina.driver.data.LabeledImages;
import dev.lamina.driver.data.Mnist;
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
 * {@code bench --model mlp|lenet|transformer|lstm --threads N [--batch B] [--steps S] [--warmup W]}:
 * trains a model in this process with the engine alone (no Spark, no parameter server) on real
 * MNIST and reports training throughput. The last line of output is one JSON object with
 * {@code samples_per_second}, {@code gflops} (achieved, from the analytic FLOP count of
 * {@link BenchModel#flopsPerSample}), {@code allocated_bytes_per_step} (over the measured steps, on
 * this thread and the GEMM pool's threads), {@code threads}, {@code batch} and {@code model}.
 * {@code benchmarks/pytorch/bench_torch.py} prints the same keys for PyTorch.
 */
public final class ModelBenchJob {

    private static final Set<String> OPTIONS = Set.of("model", "threads", "batch", "steps", "warmup", "seed");

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
        int warmup = intOption(parsed, "warmup", 500, 0);
        long seed = intOption(parsed, "seed", 1, 0);
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

        float firstLoss = train(step, data, optimizer, params, grads, warmup);
        System.out.printf("bench %s: %d threads, batch %d, %s; warm-up %d steps, loss %.4f%n",
                which.label(), threads, batch, KernelProvider.description(), warmup, firstLoss);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threadIds(mx, threads);
        long bytesBefore = allocated(mx, ids);
        long start = System.nanoTime();
        float loss = train(step, data, optimizer, params, grads, steps);
        long nanos = System.nanoTime() - start;
        long bytes = allocated(mx, ids) - bytesBefore;

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
        return report;
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
