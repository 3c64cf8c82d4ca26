package dev.lamina.ps.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each codec's round trip and its error bound. */
class PushCodecTest {
    private static final int[] SIZES = {1, 3, 7, 255, 256, 257, 1000, 4099};

    static float[] gaussian(int n, long seed, double scale) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (scale * (random.nextDouble() - 0.5) * Math.exp(4 * random.nextDouble() - 2));
        }
        return values;
    }

    static ByteBuffer encode(PushCodec codec, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate((int) PushCodec.maxEncodedBytes(values.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        codec.encode(values, buffer);
        assertTrue(buffer.position() <= PushCodec.maxEncodedBytes(values.length));
        return buffer.flip();
    }

    static float[] roundTrip(PushCodec codec, float[] values) {
        float[] decoded = new float[values.length];
        Arrays.fill(decoded, Float.NaN);
        ByteBuffer encoded = encode(codec, values);
        PushCodecs.decoder(codec.id()).decode(encoded, decoded);
        assertEquals(0, encoded.remaining(), "decode consumes the whole encoding");
        return decoded;
    }

    @Test
    void namesAndIdsAgree() {
        for (int id = 0; id < PushCodecs.NAMES.size(); id++) {
            assertEquals(PushCodecs.NAMES.get(id), PushCodecs.decoder(id).name());
            assertEquals(id, PushCodecs.create(PushCodecs.NAMES.get(id), 0.1, 0.1).id());
        }
        assertThrows(IllegalArgumentException.class, () -> PushCodecs.decoder(5));
        assertThrows(IllegalArgumentException.class, () -> PushCodecs.create("zip", 0.1, 0.1));
    }

    @Test
    void noneIsExact() {
        for (int n : SIZES) {
            float[] values = gaussian(n, n, 1);
            assertTrue(Arrays.equals(values, roundTrip(PushCodecs.create("none", 1, 1), values)));
        }
    }

    @Test
    void fp16RelativeErrorIsAtMostTwoToTheMinusEleven() {
        for (int n : SIZES) {
            float[] values = gaussian(n, n, 100);
            float[] decoded = roundTrip(PushCodecs.create("fp16", 1, 1), values);
            for (int i = 0; i < n; i++) {
                if (Math.abs(values[i]) >= 0x1p-14f) {
                    assertTrue(Math.abs(decoded[i] - values[i]) <= 0x1p-11 * Math.abs(values[i]),
                            "fp16 of " + values[i] + " : " + decoded[i]);
                } else {
                    assertTrue(Math.abs(decoded[i] - values[i]) <= 0x1p-25, "subnormal " + values[i]);
                }
            }
        }
    }

    @Test
    void fp16RoundsToNearestEvenAndKeepsEveryHalfExactly() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Fp16Codec.toFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, Fp16Codec.toHalf(f), "half 0x" + Integer.toHexString(h));
            }
        }
        assertEquals(1f, Fp16Codec.toFloat(Fp16Codec.toHalf(1f + 0x1p-11f)), "tie to even rounds down");
        assertEquals(1f + 0x1p-9f, Fp16Codec.toFloat(Fp16Codec.toHalf(1f + 3 * 0x1p-11f)), "tie to even rounds up");
        assertEquals(65504f, Fp16Codec.toFloat(Fp16Codec.toHalf(65519f)));
        assertEquals(Float.POSITIVE_INFINITY, Fp16Codec.toFloat(Fp16Codec.toHalf(65520f)));
        assertEquals(0x1p-24f, Fp16Codec.toFloat(Fp16Codec.toHalf(0x1.8p-25f)), "smallest subnormal");
        assertEquals(0f, Fp16Codec.toFloat(Fp16Codec.toHalf(0x1p-25f)), "tie to even rounds to zero");
        assertTrue(Float.isNaN(Fp16Codec.toFloat(Fp16Codec.toHalf(Float.NaN))));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(Fp16Codec.toFloat(Fp16Codec.toHalf(-0f))));
    }

    @Test
    void int8ErrorIsAtMostHalfTheChunkScale() {
        for (int n : SIZES) {
            float[] values = gaussian(n, n, 3);
            float[] decoded = roundTrip(PushCodecs.create("int8", 1, 1), values);
            assertEquals(Int8Codec.encodedBytes(n), encode(PushCodecs.create("int8", 1, 1), values).remaining());
            for (int start = 0; start < n; start += Int8Codec.CHUNK) {
                float max = 0;
                for (int i = start; i < Math.min(n, start + Int8Codec.CHUNK); i++) {
                    max = Math.max(max, Math.abs(values[i]));
                }
                float scale = max / 127;
                // scale / 2 from rounding to a byte, plus the float rounding of q * scale
                for (int i = start; i < Math.min(n, start + Int8Codec.CHUNK); i++) {
                    assertTrue(Math.abs(decoded[i] - values[i]) <= scale / 2 + 2 * Math.ulp(max),
                            "int8 of " + values[i] + " : " + decoded[i] + ", scale " + scale);
                }
            }
        }
        assertTrue(Arrays.equals(new float[300], roundTrip(PushCodecs.create("int8", 1, 1), new float[300])));
    }

    @Test
    void topkSendsExactlyTheLargestEntriesAndZeroElsewhere() {
        for (int n : SIZES) {
            float[] values = gaussian(n, n, 1);
            TopkCodec codec = new TopkCodec(0.05);
            float[] decoded = roundTrip(codec, values);
            int k = codec.k(n);
            float[] sorted = new float[n];
            for (int i = 0; i < n; i++) {
                sorted[i] = Math.abs(values[i]);
            }
            Arrays.sort(sorted);
            float cut = sorted[n - k];
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (decoded[i] != 0) {
                    kept++;
                    assertEquals(values[i], decoded[i], "kept entries are exact");
                    assertTrue(Math.abs(values[i]) >= cut);
                } else {
                    assertTrue(Math.abs(values[i]) <= cut, "a dropped entry is no larger than the k-th");
                }
            }
            assertEquals(k, kept, "n=" + n);
        }
    }

    @Test
    void topkWithTiesAndZerosSendsAtMostKNonZeroEntries() {
        float[] values = new float[1000];
        Arrays.fill(values, 0, 100, 2f);
        float[] decoded = roundTrip(new TopkCodec(0.05), values);
        assertEquals(50, countNonZero(decoded), "ties fill k exactly");
        float[] sparse = new float[1000];
        sparse[3] = -1;
        sparse[999] = 4;
        float[] back = roundTrip(new TopkCodec(0.05), sparse);
        assertTrue(Arrays.equals(sparse, back), "fewer non-zeros than k: zeros are not sent");
        assertEquals(4 + 8 * 2, encode(new TopkCodec(0.05), sparse).remaining());
    }

    @Test
    void selectFindsTheOrderStatistic() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(300);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = random.nextInt(trial % 3 == 0 ? 3 : 1000);
            }
            float[] sorted = a.clone();
            Arrays.sort(sorted);
            int target = random.nextInt(n);
            assertEquals(sorted[target], TopkCodec.select(a, 0, n - 1, target), "trial " + trial);
        }
    }

    @Test
    void thresholdSendsSignedThresholdForLargeEntries() {
        float t = 0.5f;
        for (int n : SIZES) {
            float[] values = gaussian(n, n, 2);
            float[] decoded = roundTrip(PushCodecs.create("threshold", 1, t), values);
            for (int i = 0; i < n; i++) {
                float expected = Math.abs(values[i]) >= t ? Math.copySign(t, values[i]) : 0f;
                assertEquals(expected, decoded[i], "threshold of " + values[i]);
            }
        }
    }

    static int countNonZero(float[] values) {
        int count = 0;
        for (float v : values) {
            count += v != 0 ? 1 : 0;
        }
        return count;
    }
}
