package dev.lamina.ps.compress;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@code threshold} (Strom, 2015): the entries with |x| >= t, each sent as +t or -t, as
 * {@code float t, int count, int entry[count]} where an entry is the index with its sign in the top bit
 * and indices strictly ascend; every other entry decodes to zero. With error feedback the remainder
 * (x - t or smaller) is sent later, once it has grown past t again.
 */
final class ThresholdCodec implements PushCodec {
    private static final int SIGN = 0x80000000;
    private final float threshold;

    ThresholdCodec(float threshold) {
        if (!(threshold > 0) || !Float.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold : " + threshold + " (expected: > 0, finite)");
        }
        this.threshold = threshold;
    }

    @Override
    public int id() {
        return 4;
    }

    @Override
    public String name() {
        return "threshold";
    }

    @Override
    public boolean errorFeedback() {
        return true;
    }

    @Override
    public void encode(float[] values, ByteBuffer dst) {
        int at = dst.position();
        dst.putFloat(at, threshold);
        int entry = at + 8;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (Math.abs(v) >= threshold) {
                dst.putInt(entry, v < 0 ? i | SIGN : i);
                entry += 4;
            }
        }
        dst.putInt(at + 4, (entry - at - 8) / 4);
        dst.position(entry);
    }

    @Override
    public void decode(ByteBuffer src, float[] dst) {
        if (src.remaining() < 8) {
            throw new IllegalArgumentException("threshold payload : " + src.remaining() + " bytes (expected: >= 8)");
        }
        int at = src.position();
        float t = src.getFloat(at);
        int count = src.getInt(at + 4);
        if (count < 0 || count > dst.length) {
            throw new IllegalArgumentException("threshold count : " + count + " (expected: in [0, " + dst.length
                    + "])");
        }
        PushCodecs.checkBytes(name(), src.remaining(), 8 + 4L * count, dst.length);
        Arrays.fill(dst, 0f);
        int previous = -1;
        for (int e = 0; e < count; e++) {
            int entry = src.getInt(at + 8 + 4 * e);
            int index = entry & ~SIGN;
            if (index <= previous || index >= dst.length) {
                throw new IllegalArgumentException("threshold index[" + e + "] : " + index + " (expected: in ("
                        + previous + ", " + dst.length + "), strictly ascending)");
            }
            dst[index] = entry < 0 ? -t : t;
            previous = index;
        }
        src.position(src.limit());
    }
}
