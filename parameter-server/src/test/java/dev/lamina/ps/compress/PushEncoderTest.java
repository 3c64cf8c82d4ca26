package dev.lamina.ps.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Error feedback: what is not sent is carried, so the sum of what is sent tracks the sum of the updates. */
class PushEncoderTest {
    private static final int N = 2000;

    /** Sends {@code steps} updates; returns {sum of updates, sum of what the server decoded}. */
    private static double[][] run(PushEncoder encoder, int steps) {
        double[] updates = new double[N];
        double[] received = new double[N];
        float[] decoded = new float[N];
        for (int s = 0; s < steps; s++) {
            float[] update = PushCodecTest.gaussian(N, s, 0.01);
            update[s % N] += 0.001f;
            ByteBuffer encoded = encoder.encode(update);
            PushCodecs.decoder(encoder.codec().id()).decode(encoded.duplicate().order(ByteOrder.LITTLE_ENDIAN), decoded);
            for (int i = 0; i < N; i++) {
                updates[i] += update[i];
                received[i] += decoded[i];
            }
        }
        return new double[][] {updates, received};
    }

    private static void assertResidualIsTheDifference(PushEncoder encoder, double[][] sums) {
        float[] residual = encoder.residual();
        for (int i = 0; i < N; i++) {
            assertEquals(sums[0][i], sums[1][i] + residual[i], 1e-4, "updates = sent + residual at " + i);
        }
    }

    @Test
    void topkResidualCarriesWhatWasNotSent() {
        PushEncoder encoder = new PushEncoder(PushCodecs.create("topk", 0.01, 1), N);
        double[][] sums = run(encoder, 400);
        assertResidualIsTheDifference(encoder, sums);
        assertConverges(sums, 400);
    }

    @Test
    void thresholdResidualCarriesWhatWasNotSent() {
        PushEncoder encoder = new PushEncoder(PushCodecs.create("threshold", 1, 0.02), N);
        double[][] sums = run(encoder, 400);
        assertResidualIsTheDifference(encoder, sums);
        assertConverges(sums, 400);
    }

    /** The gap between the sums stays bounded while the sums grow: relative to the total it shrinks. */
    private static void assertConverges(double[][] sums, int steps) {
        double gap = 0;
        double total = 0;
        for (int i = 0; i < N; i++) {
            gap += Math.abs(sums[0][i] - sums[1][i]);
            total += Math.abs(sums[0][i]);
        }
        assertTrue(gap < 0.25 * total, "gap " + gap + " of total " + total + " after " + steps + " steps");
        assertTrue(PushCodecTest.countNonZero(floats(sums[1])) > N / 2, "most entries were sent at some step");
    }

    private static float[] floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    @Test
    void codecsWithoutFeedbackEncodeTheUpdateAlone() {
        PushEncoder encoder = new PushEncoder(PushCodecs.create("fp16", 1, 1), N);
        float[] update = new float[N];
        Arrays.fill(update, 0.25f);
        ByteBuffer encoded = encoder.encode(update);
        assertEquals(2 * N, encoded.remaining());
        encoder.encode(update);
        float[] decoded = new float[N];
        PushCodecs.decoder(1).decode(encoder.encode(update), decoded);
        assertTrue(Arrays.equals(update, decoded), "nothing carried between pushes");
        assertEquals(0, encoder.residual().length);
    }

    @Test
    void wrongLengthIsRefused() {
        PushEncoder encoder = new PushEncoder(PushCodecs.create("topk", 0.1, 1), N);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encoder.encode(new float[3]));
        assertEquals("update length : 3 (expected: 2000)", e.getMessage());
    }
}
