package dev.lamina.ps.compress;

import java.nio.ByteBuffer;

/**
 * {@code int8}: per chunk of {@value #CHUNK} values, a float32 scale (max |x| / 127) followed by one
 * signed byte per value, round(x / scale). Decoding multiplies back, so each value is off by at most
 * scale / 2 (plus float rounding). Bytes: 4 * ceil(n / 256) + n.
 */
final class Int8Codec implements PushCodec {
    static final int CHUNK = 256;

    @Override
    public int id() {
        return 2;
    }

    @Override
    public String name() {
        return "int8";
    }

    @Override
    public boolean errorFeedback() {
        return false;
    }

    static long encodedBytes(int count) {
        return 4L * ((count + CHUNK - 1) / CHUNK) + count;
    }

    @Override
    public void encode(float[] values, ByteBuffer dst) {
        int at = dst.position();
        for (int start = 0; start < values.length; start += CHUNK) {
            int end = Math.min(values.length, start + CHUNK);
            float max = 0;
            for (int i = start; i < end; i++) {
                max = Math.max(max, Math.abs(values[i]));
            }
            float scale = max / 127f;
            float inverse = scale > 0 ? 1f / scale : 0f;
            dst.putFloat(at, scale);
            at += 4;
            for (int i = start; i < end; i++) {
                int q = Math.round(values[i] * inverse);
                dst.put(at++, (byte) Math.max(-127, Math.min(127, q)));
            }
        }
        dst.position(at);
    }

    @Override
    public void decode(ByteBuffer src, float[] dst) {
        PushCodecs.checkBytes(name(), src.remaining(), encodedBytes(dst.length), dst.length);
        int at = src.position();
        for (int start = 0; start < dst.length; start += CHUNK) {
            int end = Math.min(dst.length, start + CHUNK);
            float scale = src.getFloat(at);
            at += 4;
            for (int i = start; i < end; i++) {
                dst[i] = src.get(at++) * scale;
            }
        }
        src.position(src.limit());
    }
}
