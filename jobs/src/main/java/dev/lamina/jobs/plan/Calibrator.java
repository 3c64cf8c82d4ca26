package dev.lamina.jobs.plan;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.nn.TrainingStep;
import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.client.ParameterClient;
import dev.lamina.ps.compress.PushCodecs;
import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.server.ParameterServer;
import dev.lamina.ps.server.ServerConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures a {@link Calibration} on this machine, in a few seconds: one worker's training steps on
 * random inputs (the engine, one thread, after a warm-up that lets the JIT compile), alone and with every
 * core running a copy of the step (one worker per core, as on a full Spark executor), each push codec on
 * the model's real gradient, and round trips to an embedded parameter server over loopback (one worker,
 * the uncompressed push and pull of the model's parameters, and tiny requests), with the worker's
 * thread CPU time separating its own per-byte cost from the server's. Times are medians (and the
 * compute spread an interquartile range), so that a step preempted by another process does not
 * stand for the machine.
 */
public final class Calibrator {
    private static final long WARMUP_NANOS = 2_000_000_000L;
    private static final long MAX_WARMUP_NANOS = 30_000_000_000L;
    /** Steps measured: at least this many, and at least {@value #MEASURED_NANOS} ns of them, at most {@value #MAX_MEASURED_STEPS}. */
    private static final int MEASURED_STEPS = 60;
    private static final long MEASURED_NANOS = 1_000_000_000L;
    private static final int MAX_MEASURED_STEPS = 5000;
    private static final int ROUND_TRIPS = 60;
    private static final int SHARED_WARMUP = 30;

    private Calibrator() {
    }

    /**
     * Measures for {@code spec} at {@code batch} samples per worker step, with the job's optimizer and
     * codec settings ({@code topkRatio}, {@code threshold}).
     */
    public static Calibration measure(ModelSpec spec, int batch, OptimizerConfig optimizer, double topkRatio,
                                      double threshold) throws IOException {
        Model model = Model.of(spec);
        int n = model.parameterCount();
        float[] params = model.initialParameters(42);
        float[] grads = new float[n];
        TrainingStep step = model.trainingStep(batch, params, grads, KernelProvider.kernels());
        randomBatch(step, spec, new SplittableRandom(7));
        Optimizer local = optimizer.create(n);
        float[] scratch = params.clone();
        double warm = warmUp(step, local, scratch, grads);
        int count = (int) Math.max(MEASURED_STEPS, Math.min(MAX_MEASURED_STEPS, Math.ceil(MEASURED_NANOS / 1e9 / warm)));
        double[] steps = new double[count];
        long optimizerNanos = 0;
        for (int i = 0; i < steps.length; i++) {
            long t0 = System.nanoTime();
            step.run();
            long t1 = System.nanoTime();
            local.step(scratch, grads);
            optimizerNanos += System.nanoTime() - t1;
            steps[i] = (t1 - t0) / 1e9;
        }
        double median = quantile(steps, 0.5);
        double std = spread(steps);
        int cores = Runtime.getRuntime().availableProcessors();
        double[] shared = cores > 1 ? shared(model, batch, spec, cores, step, count) : steps;
        Map<String, Calibration.Codec> codecs = codecs(grads, topkRatio, threshold);
        double[] protocol = protocol(params, optimizer);
        double add = addSeconds(n);
        return new Calibration(n, batch, median, std, cores, quantile(shared, 0.5), spread(shared),
                optimizerNanos / 1e9 / steps.length, FrameFormat.paramsFrameBytes(n), protocol[0], protocol[1],
                protocol[2], protocol[3], add, codecs);
    }

    /** A spread robust to the odd preempted step: the interquartile range over 1.349 (a normal's IQR in sigmas). */
    private static double spread(double[] steps) {
        return (quantile(steps, 0.75) - quantile(steps, 0.25)) / 1.349;
    }

    /**
     * The step's seconds while {@code cores} threads each run their own copy of it at once: {@code step} on
     * this thread and one more step per further core, all started together after {@value #SHARED_WARMUP}
     * unmeasured steps each (the JIT has compiled the code already); the other threads keep stepping until
     * this one has measured, so the load stays the same throughout. Every thread's measured steps count.
     */
    private static double[] shared(Model model, int batch, ModelSpec spec, int cores, TrainingStep step, int count) {
        int n = model.parameterCount();
        CyclicBarrier start = new CyclicBarrier(cores);
        AtomicBoolean done = new AtomicBoolean();
        double[][] times = new double[cores][count];
        int[] measured = new int[cores];
        Thread[] others = new Thread[cores - 1];
        RuntimeException[] failure = new RuntimeException[1];
        for (int t = 1; t < cores; t++) {
            int id = t;
            TrainingStep own = model.trainingStep(batch, model.initialParameters(42 + t), new float[n],
                    KernelProvider.kernels());
            randomBatch(own, spec, new SplittableRandom(7 + t));
            others[t - 1] = new Thread(() -> {
                try {
                    measured[id] = stepShared(own, start, done, times[id], false);
                } catch (RuntimeException e) {
                    failure[0] = e;
                    done.set(true);
                    start.reset();
                }
            }, "lamina-plan-calibration-" + t);
            others[t - 1].setDaemon(true);
            others[t - 1].start();
        }
        try {
            measured[0] = stepShared(step, start, done, times[0], true);
        } finally {
            done.set(true);
        }
        for (Thread t : others) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while calibrating the shared step", e);
            }
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        int total = 0;
        for (int m : measured) {
            total += m;
        }
        double[] all = new double[total];
        int at = 0;
        for (int t = 0; t < cores; t++) {
            System.arraycopy(times[t], 0, all, at, measured[t]);
            at += measured[t];
        }
        return all;
    }

    /**
     * Runs {@code step} {@value #SHARED_WARMUP} times, waits for the other threads, then records up to
     * {@code times.length} steps; the {@code leader} stops there (and its caller sets {@code done}), the
     * others keep stepping until {@code done}. Returns how many steps it recorded.
     */
    private static int stepShared(TrainingStep step, CyclicBarrier start,
                                  AtomicBoolean done, double[] times, boolean leader) {
        for (int i = 0; i < SHARED_WARMUP; i++) {
            step.run();
        }
        try {
            start.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calibrating the shared step", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("the shared calibration's threads did not start together", e);
        }
        int recorded = 0;
        while (!done.get() && recorded < times.length) {
            long t0 = System.nanoTime();
            step.run();
            times[recorded++] = (System.nanoTime() - t0) / 1e9;
        }
        while (!leader && !done.get()) {
            step.run();
        }
        return recorded;
    }

    /**
     * Steps until the JIT has compiled the step: until the median of the last 20 steps is within 10% of
     * the 20 before (after at least {@value #WARMUP_NANOS} ns), or for at most {@value #MAX_WARMUP_NANOS} ns.
     * Returns the last steps' median seconds (step and local optimizer).
     */
    private static double warmUp(TrainingStep step, Optimizer local, float[] scratch, float[] grads) {
        long start = System.nanoTime();
        double[] window = new double[40];
        int i = 0;
        while (true) {
            long t0 = System.nanoTime();
            step.run();
            local.step(scratch, grads);
            long t1 = System.nanoTime();
            window[i++ % window.length] = (t1 - t0) / 1e9;
            if (t1 - start > MAX_WARMUP_NANOS) {
                return quantile(i >= window.length ? window : Arrays.copyOf(window, i), 0.5);
            }
            if (t1 - start > WARMUP_NANOS && i >= window.length) {
                double[] older = new double[20];
                double[] newer = new double[20];
                for (int k = 0; k < 20; k++) {
                    older[k] = window[(i + k) % window.length];
                    newer[k] = window[(i + 20 + k) % window.length];
                }
                double a = quantile(older, 0.5);
                double b = quantile(newer, 0.5);
                if (Math.abs(b - a) <= 0.1 * a) {
                    return b;
                }
            }
        }
    }

    /** The {@code q} quantile of {@code values} (linear between order statistics). */
    static double quantile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        double at = q * (v.length - 1);
        int lo = (int) Math.floor(at);
        int hi = Math.min(v.length - 1, lo + 1);
        return v[lo] + (at - lo) * (v[hi] - v[lo]);
    }

    /** Random inputs in [0, 1) and random class labels (compute time does not depend on the values). */
    private static void randomBatch(TrainingStep step, ModelSpec spec, SplittableRandom random) {
        float[] f = step.features().data();
        for (int i = 0; i < step.features().size(); i++) {
            f[step.features().offset() + i] = (float) random.nextDouble();
        }
        int classes = Math.max(1, spec.classes());
        float[] l = step.labels().data();
        for (int i = 0; i < step.labels().size(); i++) {
            l[step.labels().offset() + i] = random.nextInt(classes);
        }
    }

    /** Each codec on {@code update}: frame bytes, and encode and decode seconds beyond plain float streaming. */
    static Map<String, Calibration.Codec> codecs(float[] update, double topkRatio, double threshold) {
        Map<String, Calibration.Codec> codecs = new LinkedHashMap<>();
        int n = update.length;
        for (String name : PushCodecs.NAMES) {
            if (name.equals("none")) {
                codecs.put(name, new Calibration.Codec(FrameFormat.pushFrameBytes(n), 0, 0));
                continue;
            }
            PushEncoder encoder = new PushEncoder(PushCodecs.create(name, topkRatio, threshold), n);
            float[] decoded = new float[n];
            int bytes = 0;
            long encode = 0;
            long decode = 0;
            int reps = 20;
            for (int r = 0; r < 2 * reps; r++) {
                long t0 = System.nanoTime();
                ByteBuffer encoded = encoder.encode(update);
                long t1 = System.nanoTime();
                PushCodecs.decoder(encoder.codec().id()).decode(encoded.duplicate().order(ByteOrder.LITTLE_ENDIAN), decoded);
                long t2 = System.nanoTime();
                if (r >= reps) {
                    encode += t1 - t0;
                    decode += t2 - t1;
                    bytes = encoded.remaining();
                }
            }
            codecs.put(name, new Calibration.Codec(FrameFormat.compressedPushFrameBytes(bytes), encode / 1e9 / reps,
                    decode / 1e9 / reps));
        }
        return codecs;
    }

    /**
     * Round trips with an embedded server on loopback, one worker: {tiny request seconds, the worker's
     * seconds per byte, the server's seconds per byte, apply seconds per step}.
     */
    static double[] protocol(float[] params, OptimizerConfig optimizer) throws IOException {
        int n = params.length;
        byte[] secret = Secrets.newSecret();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 1, 4 * n + 4096, Duration.ofMinutes(1));
        OptimizerConfig slow = optimizer.withLearningRate(1e-9);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (ParameterServer server = ParameterServer.start(config, secret, params, slow.create(n));
             ParameterClient client = ParameterClient.connect("127.0.0.1", server.address().getPort(), secret, 0,
                     Duration.ofMinutes(1))) {
            float[] gradient = new float[n];
            float[] dst = new float[n];
            long s = client.pull(dst);
            for (int i = 0; i < ROUND_TRIPS; i++) {
                s = client.pushPull(0, s, i, i, gradient, dst);
                client.timing();
            }
            Message.Timing before = client.timing();
            long cpu0 = threads.getCurrentThreadCpuTime();
            double[] trips = new double[ROUND_TRIPS];
            for (int i = 0; i < ROUND_TRIPS; i++) {
                long t0 = System.nanoTime();
                s = client.pushPull(0, s, ROUND_TRIPS + i, ROUND_TRIPS + i, gradient, dst);
                trips[i] = (System.nanoTime() - t0) / 1e9;
            }
            long cpu1 = threads.getCurrentThreadCpuTime();
            Message.Timing after = client.timing();
            double[] tinies = new double[ROUND_TRIPS];
            for (int i = 0; i < ROUND_TRIPS; i++) {
                long t0 = System.nanoTime();
                client.timing();
                tinies[i] = (System.nanoTime() - t0) / 1e9;
            }
            double tiny = quantile(tinies, 0.5);
            double roundTrip = quantile(trips, 0.5);
            double apply = (after.applyNanos() - before.applyNanos()) / 1e9 / ROUND_TRIPS;
            double bytes = FrameFormat.pushFrameBytes(n) + FrameFormat.paramsFrameBytes(n);
            double clientPerByte = (cpu1 - cpu0) / 1e9 / ROUND_TRIPS / bytes;
            double serverPerByte = Math.max(0, roundTrip - tiny - apply - clientPerByte * bytes) / bytes;
            return new double[] {tiny, clientPerByte, serverPerByte, apply};
        }
    }

    /** Seconds to add one array of {@code n} floats into another (each further worker's share of the average). */
    static double addSeconds(int n) {
        float[] a = new float[n];
        float[] b = new float[n];
        Arrays.fill(b, 1e-3f);
        long best = Long.MAX_VALUE;
        for (int r = 0; r < 30; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                a[i] += b[i];
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e9 + a[0] * 0;
    }

}
