package dev.lamina.benchmarks.kernel;

import dev.lamina.benchmarks.BenchmarkDefaults;
import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.kernel.Kernels;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * GELU forward and backward over n floats: 16,384 (in L1/L2, so the kernel's arithmetic) and
 * 1,048,576 (the char Transformer's FFN activation, 4 MB per array, so memory traffic as well).
 * Scores are calls per second; multiply by n for floats per second.
 */
public class ActivationBenchmark extends BenchmarkDefaults {
    @Param({"16384", "1048576"})
    public int n;

    private final Kernels k = KernelProvider.kernels();
    private float[] x;
    private float[] g;
    private float[] out;

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(5);
        x = new float[n];
        g = new float[n];
        out = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 2);
            g[i] = (float) r.nextGaussian();
        }
    }

    @Benchmark
    public float[] gelu() {
        k.gelu(n, x, 0, out, 0);
        return out;
    }

    @Benchmark
    public float[] geluBackward() {
        k.geluBackward(n, x, 0, g, 0, out, 0);
        return out;
    }

    @Benchmark
    public float[] copy() {
        System.arraycopy(x, 0, out, 0, n);
        return out;
    }
}
