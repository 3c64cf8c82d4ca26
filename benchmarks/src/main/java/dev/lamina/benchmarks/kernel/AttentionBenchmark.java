package dev.lamina.benchmarks.kernel;

import dev.lamina.benchmarks.BenchmarkDefaults;
import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.kernel.Kernels;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One causal self-attention layer of the char Transformer bench (batch 32, 64 positions, 4 heads of
 * 32), forward and backward, head by head: through {@link Kernels#attentionHead} and its backward
 * ({@code fused}), or as the per-head GEMMs and row softmaxes the plan ran before them ({@code gemm}).
 * Scores are layers per second; multiply by 128 for heads per second.
 */
public class AttentionBenchmark extends BenchmarkDefaults {
    private static final int B = 32;
    private static final int T = 64;
    private static final int HEADS = 4;
    private static final int D = 32;
    private static final int C = HEADS * D;

    @Param({"fused", "gemm"})
    public String path;

    private final Kernels k = KernelProvider.kernels();
    private float[] qkv;
    private float[] probs;
    private float[] out;
    private float[] g;
    private float[] ds;
    private float[] dqkv;
    private final float scale = (float) (1 / Math.sqrt(D));

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(7);
        qkv = random(r, B * T * 3 * C);
        g = random(r, B * T * C);
        probs = new float[B * HEADS * T * T];
        out = new float[B * T * C];
        ds = new float[T * T];
        dqkv = new float[B * T * 3 * C];
    }

    @Benchmark
    public float[] forward() {
        for (int b = 0; b < B; b++) {
            int row = b * T * 3 * C;
            for (int h = 0; h < HEADS; h++) {
                int p = (b * HEADS + h) * T * T;
                int q = row + h * D;
                int o = b * T * C + h * D;
                if (path.equals("fused")) {
                    k.attentionHead(T, D, true, scale, qkv, q, q + C, q + 2 * C, 3 * C, probs, p, out, o, C);
                } else {
                    k.gemm(false, true, T, T, D, scale, qkv, q, 3 * C, qkv, q + C, 3 * C, 0f, probs, p, T);
                    for (int t = 0; t < T; t++) {
                        k.softmaxPrefix(T, t + 1, probs, p + t * T);
                    }
                    k.gemm(false, false, T, D, T, 1f, probs, p, T, qkv, q + 2 * C, 3 * C, 0f, out, o, C);
                }
            }
        }
        return out;
    }

    @Benchmark
    public float[] backward() {
        for (int b = 0; b < B; b++) {
            int row = b * T * 3 * C;
            int grow = b * T * C;
            for (int h = 0; h < HEADS; h++) {
                int p = (b * HEADS + h) * T * T;
                int q = row + h * D;
                if (path.equals("fused")) {
                    k.attentionHeadBackward(T, D, true, scale, qkv, q, q + C, q + 2 * C, 3 * C, probs, p, g,
                            grow + h * D, C, ds, 0, dqkv, q, q + C, q + 2 * C, 3 * C);
                } else {
                    k.gemm(false, true, T, T, D, 1f, g, grow + h * D, C, qkv, q + 2 * C, 3 * C, 0f, ds, 0, T);
                    for (int t = 0; t < T; t++) {
                        float dot = k.dot(T, ds, t * T, probs, p + t * T);
                        for (int j = 0; j < T; j++) {
                            ds[t * T + j] = probs[p + t * T + j] * (ds[t * T + j] - dot);
                        }
                    }
                    k.gemm(false, false, T, D, T, scale, ds, 0, T, qkv, q + C, 3 * C, 0f, dqkv, q, 3 * C);
                    k.gemm(true, false, T, D, T, scale, ds, 0, T, qkv, q, 3 * C, 0f, dqkv, q + C, 3 * C);
                    k.gemm(true, false, T, D, T, 1f, probs, p, T, g, grow + h * D, C, 0f, dqkv, q + 2 * C, 3 * C);
                }
            }
        }
        return dqkv;
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }
}
