package dev.lamina.ps.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The shared PARAMS payload: CRC combination, frames per request id, reference counting. */
class SharedParamsTest {

    private static int crc(byte[] bytes, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(bytes, from, to - from);
        return (int) c.getValue();
    }

    @Test
    void shiftCombinesCrcsOfConcatenatedBytes() {
        SplittableRandom random = new SplittableRandom(3);
        for (int lengthB : new int[] {0, 1, 3, 4, 17, 1000, 65_537}) {
            byte[] bytes = new byte[50 + lengthB];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) random.nextInt();
            }
            int whole = crc(bytes, 0, bytes.length);
            int a = crc(bytes, 0, 50);
            int b = crc(bytes, 50, bytes.length);
            assertEquals(whole, new Crc32cShift(lengthB).combine(a, b), "length " + lengthB);
        }
        assertThrows(IllegalArgumentException.class, () -> new Crc32cShift(-1));
    }

    private static byte[] bytes(ByteBuf frame) {
        byte[] out = new byte[frame.readableBytes()];
        frame.readBytes(out);
        frame.release();
        return out;
    }

    @Test
    void everyFrameDecodesWithItsOwnRequestIdAndAValidCrc() {
        float[] values = {1.5f, -2f, 3.25f, Float.MIN_VALUE, 7e30f};
        SharedParams shared = new SharedParams(values.length);
        shared.encode(9, values);
        for (long requestId : new long[] {1, 77, Long.MAX_VALUE}) {
            Frame frame = TestFrames.decode(bytes(shared.lease().frame(requestId)));
            assertEquals(requestId, frame.requestId());
            Message.Params params = assertInstanceOf(Message.Params.class, frame.message());
            assertEquals(9, params.step());
            assertArrayEquals(values, params.values());
        }
        byte[] reference = TestFrames.encode(77, new Message.Params(9, values));
        assertArrayEquals(reference, bytes(shared.lease().frame(77)), "the same bytes as the plain encoder");
        ByteBuf frame = shared.lease().frame(1);
        assertTrue(frame.isDirect(), "all-direct, so the transport writes it without copying");
        frame.release();
        shared.release();
    }

    /**
     * The payload's CRC is computed when the first frame is made, once per encode: a buffer encoded
     * again (after its frames were written) makes frames with the new values' CRC, and frames made on
     * several threads at once all carry the right one.
     */
    @Test
    void reencodedPayloadFramesCarryTheNewCrcOnEveryThread() throws Exception {
        SharedParams shared = new SharedParams(1000);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (long step = 0; step < 20; step++) {
                float[] values = new float[1000];
                java.util.Arrays.fill(values, step * 0.5f - 3f);
                values[(int) step] = step;
                shared.encode(step, values);
                byte[] reference = TestFrames.encode(3, new Message.Params(step, values));
                java.util.List<java.util.concurrent.Future<byte[]>> frames = new java.util.ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    SharedParams.Lease lease = shared.lease();
                    frames.add(pool.submit(() -> bytes(lease.frame(3))));
                }
                for (java.util.concurrent.Future<byte[]> f : frames) {
                    assertArrayEquals(reference, f.get(10, java.util.concurrent.TimeUnit.SECONDS), "step " + step);
                }
                assertTrue(shared.reusable(), "every frame was released");
            }
        } finally {
            pool.shutdownNow();
            shared.release();
        }
    }

    @Test
    void bufferIsReusableOnlyWhenNoFrameIsInFlight() {
        SharedParams shared = new SharedParams(3);
        shared.encode(1, new float[] {1, 2, 3});
        assertTrue(shared.reusable());
        SharedParams.Lease lease = shared.lease();
        ByteBuf frame = lease.frame(5);
        assertFalse(shared.reusable());
        assertThrows(IllegalStateException.class, () -> shared.encode(2, new float[3]));
        frame.release();
        assertTrue(shared.reusable());
        shared.encode(2, new float[] {4, 5, 6});
        assertArrayEquals(new float[] {4, 5, 6}, shared.lease().values());
        assertThrows(IllegalArgumentException.class, () -> shared.encode(3, new float[4]));
    }
}
