package dev.lamina.benchmarks.kernel;

import dev.lamina.benchmarks.BenchmarkDefaults;
import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.kernel.Kernels;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SGEMM throughput of {@link KernelProvider#kernels()} (the Vector API kernels when the fork has
 * {@code --add-modules jdk.incubator.vector}, as {@link BenchmarkDefaults} arranges), single thread.
 *
 * <p>Shapes are {@code <op>_<M>x<N>x<K>}: C[M,N] = op(A)[M,K] * op(B)[K,N] with alpha 1, beta 0.
 * {@code NN} is A * B, {@code TN} is A^T * B (A stored [K,M]), {@code NT} is A * B^T (B stored
 * [N,K]). The MLP 784-256-128-10 at batch 64 runs, per training step (a linear layer's weight is
 * stored [out, in]): forward NT_64x256x784 and NT_64x128x256 (X * W^T, with the bias); weight
 * gradients TN_256x784x64 and TN_128x256x64 (dY^T * X); the input gradient NN_64x256x128 (dY * W; the
 * first layer's is not needed). Those five are 99% of its FLOPs. The char Transformer (2,048 tokens a
 * step, d 128, FFN 512) runs per layer forward NT_2048x384x128 (qkv), NT_2048x512x128 and
 * NT_2048x128x512 (the FFN; the output projection is NT_2048x128x128), weight gradients
 * TN_512x128x2048 and TN_128x512x2048 (and TN_384x128x2048), input gradients NN_2048x128x512 and
 * NN_2048x512x128; the seven listed here are 72% of its GEMM FLOPs.
 *
 * <p>Reading the results: the {@code gemm} row is calls per second; the {@code gemm:gflop} row is
 * GFLOP/s directly (an {@link AuxCounters} counter that adds 2*M*N*K / 1e9 per call). Equivalently,
 * GFLOP/s = calls/s * 2*M*N*K / 1e9. The {@code gemm:percentOfPeak} row is that rate as a percentage of
 * one core's FP32 peak, 2 FMA pipes x lanes x 2 flops x 3.5 GHz: 224 GFLOP/s with 512-bit vectors (the
 * engine issue's reference), 112 with AVX2's 256 bits. Another peak, for a core with another clock or
 * FMA count: {@code -jvmArgsAppend -Dlamina.peakGflops=G} (the figure runs in JMH's forked JVM).
 */
public class GemmBenchmark extends BenchmarkDefaults {

    @Param({"NN_512x512x512", "NN_1024x1024x1024", "NT_64x256x784", "NT_64x128x256",
            "TN_256x784x64", "TN_128x256x64", "NN_64x256x128", "NT_2048x384x128", "NT_2048x512x128",
            "NT_2048x128x512", "TN_512x128x2048", "TN_128x512x2048", "NN_2048x128x512", "NN_2048x512x128"})
    public String shape;

    private final Kernels kernels = KernelProvider.kernels();
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;

    /** Assumed clock for the default peak, GHz (the engine issue's reference core). */
    static final double CLOCK_GHZ = 3.5;

    /** GFLOP counters: JMH divides them by the measured time, so they report GFLOP/s and % of peak. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;
        public double percentOfPeak;
    }

    private double percentPerGflop;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split("_");
        transA = parts[0].charAt(0) == 'T';
        transB = parts[0].charAt(1) == 'T';
        String[] dims = parts[1].split("x");
        m = Integer.parseInt(dims[0]);
        n = Integer.parseInt(dims[1]);
        k = Integer.parseInt(dims[2]);
        SplittableRandom rnd = new SplittableRandom(1);
        a = random(rnd, m * k);
        b = random(rnd, k * n);
        c = new float[m * n];
        double peak = peakGflops(System.getProperty("lamina.peakGflops"), KernelProvider.vectorBits());
        percentPerGflop = 100 / peak;
        System.out.println("\n# kernels: " + KernelProvider.description() + "; peak " + peak + " GFLOP/s");
    }

    /**
     * One core's FP32 peak in GFLOP/s: {@code property} when set, else 2 FMA pipes x (bits / 32) lanes x 2
     * flops x {@link #CLOCK_GHZ}.
     */
    static double peakGflops(String property, int vectorBits) {
        if (property == null || property.isBlank()) {
            return 2 * (vectorBits / Float.SIZE) * 2 * CLOCK_GHZ;
        }
        double value;
        try {
            value = Double.parseDouble(property.strip());
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("lamina.peakGflops : " + property + " (expected: a positive number of GFLOP/s)");
        }
        return value;
    }

    @Benchmark
    public float[] gemm(Flops flops) {
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        kernels.gemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        double gflop = 2e-9 * m * n * k;
        flops.gflop += gflop;
        flops.percentOfPeak += gflop * percentPerGflop;
        return c;
    }

    private static float[] random(SplittableRandom rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
