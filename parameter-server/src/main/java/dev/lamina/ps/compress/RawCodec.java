package dev.lamina.ps.compress;

import java.nio.ByteBuffer;

/** {@code none}: little-endian float32, 4 bytes a value. */
final class RawCodec implements PushCodec {

    @Override
    public int id() {
        return 0;
    }

    @Override
    public String name() {
        return "none";
    }

    @Override
    public boolean errorFeedback() {
        return false;
    }

    @Override
    public void encode(float[] values, ByteBuffer dst) {
        dst.asFloatBuffer().put(values);
        dst.position(dst.position() + 4 * values.length);
    }

    @Override
    public void decode(ByteBuffer src, float[] dst) {
        PushCodecs.checkBytes(name(), src.remaining(), 4L * dst.length, dst.length);
        src.asFloatBuffer().get(dst);
        src.position(src.limit());
    }
}
