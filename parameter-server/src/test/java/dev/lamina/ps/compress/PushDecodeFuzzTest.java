package dev.lamina.ps.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Random and mutated encodings either decode within bounds or are refused with IllegalArgumentException. */
class PushDecodeFuzzTest {
    private static final int N = 700;

    @Test
    void randomAndMutatedEncodingsNeverEscapeTheirBounds() {
        SplittableRandom random = new SplittableRandom(42);
        float[] dst = new float[N];
        int refused = 0;
        for (int trial = 0; trial < 5000; trial++) {
            int id = trial % PushCodecs.NAMES.size();
            byte[] bytes = trial % 2 == 0 ? randomBytes(random) : mutated(random, id);
            try {
                PushCodecs.decoder(id).decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), dst);
            } catch (IllegalArgumentException expected) {
                refused++;
            } catch (RuntimeException e) {
                fail("codec " + id + " trial " + trial + " threw " + e, e);
            }
        }
        assertEquals(true, refused > 2000, "most random payloads are refused: " + refused);
    }

    private static byte[] randomBytes(SplittableRandom random) {
        byte[] bytes = new byte[random.nextInt(4 * N + 16)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] mutated(SplittableRandom random, int id) {
        ByteBuffer valid = PushCodecTest.encode(PushCodecs.create(PushCodecs.NAMES.get(id), 0.05, 0.3),
                PushCodecTest.gaussian(N, random.nextLong(), 1));
        byte[] bytes = new byte[valid.remaining()];
        valid.get(bytes);
        for (int flips = 1 + random.nextInt(4); flips > 0 && bytes.length > 0; flips--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return random.nextInt(8) == 0 ? java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 8)) : bytes;
    }

    @Test
    void malformedSparseEncodingsNameTheOffendingValue() {
        float[] dst = new float[10];
        ByteBuffer tooMany = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 11);
        assertEquals("topk count : 11 (expected: in [0, 10])", assertThrows(IllegalArgumentException.class,
                () -> PushCodecs.decoder(3).decode(tooMany, dst)).getMessage());
        ByteBuffer outOfRange = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1).putInt(4, 10);
        assertEquals("topk index[0] : 10 (expected: in (-1, 10), strictly ascending)",
                assertThrows(IllegalArgumentException.class, () -> PushCodecs.decoder(3).decode(outOfRange, dst))
                        .getMessage());
        ByteBuffer repeated = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 1).putInt(4, 2)
                .putInt(8, 4).putInt(12, 4 | 0x80000000);
        assertThrows(IllegalArgumentException.class, () -> PushCodecs.decoder(4).decode(repeated, dst));
        assertEquals("fp16 payload : 19 bytes (expected: 20 for 10 values)", assertThrows(
                IllegalArgumentException.class, () -> PushCodecs.decoder(1).decode(ByteBuffer.allocate(19), dst))
                .getMessage());
    }
}
