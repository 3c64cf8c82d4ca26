package dev.lamina.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The vector kernels that need e^x give bitwise the same results interpreted, C1-compiled and
 * C2-compiled, so sync training stays reproducible while the JIT compiles (DESIGN: sync is bitwise
 * reproducible for a fixed seed). Child JVMs compute the kernels with {@code -Xint} and with C1 only;
 * this JVM computes them after a warm-up long enough for C2 to compile them; every output float must
 * have the same bits. With the Vector API's own {@code lanewise(EXP)}/{@code lanewise(TANH)} this fails:
 * C2 computes those with the JDK's vector math library, the interpreter and C1 with {@link Math}.
 */
class KernelTierDeterminismTest {

    private static final long WARM_UP_NANOS = 3_000_000_000L;

    /** The inputs: values over [-12, 12], spread logits, specials; lengths with and without tails. */
    private static List<float[]> inputs() {
        SplittableRandom r = new SplittableRandom(20261203);
        List<float[]> xs = new ArrayList<>();
        for (int n : new int[] {16, 37, 64, 300, 1003}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextDouble() * 24 - 12);
            }
            float[] specials = {0f, -0f, 0.05f, -0.05f, 1e-30f, 88f, -88f, 90f, -90f, Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
            for (int i = 0, s = 0; i < n && s < specials.length; i += 5, s++) {
                x[i] = specials[s];
            }
            xs.add(x);
        }
        return xs;
    }

    /** Every e^x kernel over every input, the outputs one after another. */
    static float[] compute(Kernels k) {
        List<float[]> xs = inputs();
        int total = 0;
        for (float[] x : xs) {
            total += 10 * x.length;
        }
        int t = 40;
        int d = 32;
        total += t * t + t * d + t * 3 * d + 2 * 64 * 10;
        float[] all = new float[total];
        int at = 0;
        // one causal attention head (its softmax runs on the same exp), forward and backward
        float[] qkv = new float[t * 3 * d];
        float[] up = new float[t * d];
        for (int i = 0; i < qkv.length; i++) {
            qkv[i] = (float) Math.sin(i * 0.37) * 3f;
        }
        for (int i = 0; i < up.length; i++) {
            up[i] = (float) Math.cos(i * 0.11);
        }
        k.attentionHead(t, d, true, 0.2f, qkv, 0, d, 2 * d, 3 * d, all, at, all, at + t * t, d);
        k.attentionHeadBackward(t, d, true, 0.2f, qkv, 0, d, 2 * d, 3 * d, all, at, up, 0, d, new float[t * t], 0, all,
                at + t * t + t * d, at + t * t + t * d + d, at + t * t + t * d + 2 * d, 3 * d);
        at += t * t + t * d + t * 3 * d;
        // a classifier's log-softmax and its gradient, [64, 10] (rows narrower than two vectors)
        float[] scores = new float[640];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) Math.sin(i * 0.73) * 8f;
        }
        k.logSoftmax(64, 10, scores, 0, all, at);
        k.logSoftmaxBackward(64, 10, all, at, scores, 0, all, at + 640);
        at += 2 * 640;
        for (float[] x : xs) {
            int n = x.length;
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = 0.5f - (i % 7) * 0.125f;
            }
            float[] logits = x.clone();
            for (int i = 0; i < n; i++) {
                logits[i] = Float.isFinite(logits[i]) ? logits[i] * 3f : 1f;
            }
            k.softmax(1, n, logits, 0, all, at);
            at += n;
            k.gelu(n, x, 0, all, at);
            at += n;
            k.geluBackward(n, x, 0, g, 0, all, at);
            at += n;
            k.silu(n, x, 0, all, at);
            at += n;
            k.siluBackward(n, x, 0, g, 0, all, at);
            at += n;
            k.sigmoid(n, x, 0, all, at);
            at += n;
            k.tanh(n, x, 0, all, at);
            at += n;
            // in place: out is x
            float[] y = x.clone();
            k.tanh(n, y, 0, y, 0);
            k.sigmoid(n, y, 0, y, 0);
            System.arraycopy(y, 0, all, at, n);
            at += n;
            // a causal attention row: the first n / 2 + 1 of n
            System.arraycopy(logits, 0, all, at, n);
            k.softmaxPrefix(n, n / 2 + 1, all, at);
            at += n;
            k.logSoftmax(1, n, logits, 0, all, at);
            at += n;
        }
        return all;
    }

    /** The child JVM's entry point: writes {@link #compute}'s floats to standard output. */
    public static void main(String[] args) throws IOException {
        float[] out = compute(VectorKernels.INSTANCE);
        DataOutputStream data = new DataOutputStream(System.out);
        for (float v : out) {
            data.writeInt(Float.floatToRawIntBits(v));
        }
        data.flush();
    }

    private static float[] inChild(String... jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules=jdk.incubator.vector");
        cmd.addAll(List.of(jvmFlags));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KernelTierDeterminismTest.class.getName());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(bytes);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the child JVM " + cmd + " did not finish within 120 s");
        }
        assertEquals(0, p.exitValue(), "exit status of " + cmd);
        ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
        float[] out = new float[buf.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat(buf.getInt());
        }
        return out;
    }

    @Test
    void interpretedC1AndC2GiveTheSameBits() throws Exception {
        assumeTrue(KernelProvider.vectorized(), KernelProvider.description());
        float[] interpreted = inChild("-Xint");
        float[] c1 = inChild("-XX:TieredStopAtLevel=1");
        long start = System.nanoTime();
        float[] compiled = compute(VectorKernels.INSTANCE);
        int rounds = 1;
        while (System.nanoTime() - start < WARM_UP_NANOS) {
            compiled = compute(VectorKernels.INSTANCE);
            rounds++;
        }
        assertEquals(interpreted.length, compiled.length, "output length");
        assertEquals(interpreted.length, c1.length, "output length");
        for (int i = 0; i < compiled.length; i++) {
            // every NaN counts as the same (a NaN's payload is not part of the result: training refuses it)
            int bits = Float.floatToIntBits(compiled[i]);
            if (bits != Float.floatToIntBits(interpreted[i]) || bits != Float.floatToIntBits(c1[i])) {
                fail("output " + i + " of " + compiled.length + " after " + rounds + " warm-up rounds: " + compiled[i]
                        + " compiled, " + interpreted[i] + " interpreted, " + c1[i] + " with C1");
            }
        }
    }
}
