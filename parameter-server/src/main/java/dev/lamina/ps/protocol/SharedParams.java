package dev.lamina.ps.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * One encoded {@link MessageType#PARAMS} payload that every reply of a step shares. The payload
 * ({@code long step, int count, float[count]}) is written once, and its CRC32C computed once, when the
 * first frame is made from it: replies read in the same JVM ({@link Lease#copyTo}) need none, and
 * computing it there kept it off the step's critical path (about 45 us for 235,146 parameters). Each
 * reply frame is a composite of its own 18-byte header, a retained duplicate of the payload (no copy)
 * and a 4-byte trailer whose CRC is combined from the header's CRC and the payload's
 * ({@link Crc32cShift}).
 *
 * <p>The buffer is reference-counted: this object holds one reference, and every frame handed out holds
 * another until it is written. {@link #reusable()} says when no frame is in flight, so the buffer can
 * be overwritten with the next step's parameters. Not thread-safe: callers synchronize, except that
 * leases make frames (and so the CRC) on any thread.
 */
public final class SharedParams {
    private final ByteBuf payload;
    private final int count;
    private final Crc32cShift shift;
    private final CRC32C crc = new CRC32C();
    private long step = -1;
    /** Guarded by this object: the payload's CRC once {@link #crcValid}. */
    private int payloadCrc;
    private boolean crcValid;

    /** A direct buffer for {@code count} parameters (allocated once). */
    public SharedParams(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count : " + count + " (expected: >= 0)");
        }
        long bytes = PayloadCodec.PARAMS_FIXED_BYTES + 4L * count;
        if (bytes + FrameFormat.OVERHEAD_BYTES > FrameFormat.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("count : " + count + " (expected: a PARAMS frame <= "
                    + FrameFormat.MAX_FRAME_BYTES + " bytes)");
        }
        this.count = count;
        this.payload = Unpooled.directBuffer((int) bytes, (int) bytes);
        this.shift = new Crc32cShift(bytes);
    }

    /** Encodes {@code values} (length {@code count}) as the parameters after {@code step}; needs {@link #reusable()}. */
    public void encode(long step, float[] values) {
        if (values.length != count) {
            throw new IllegalArgumentException("values length : " + values.length + " (expected: " + count + ")");
        }
        if (!reusable()) {
            throw new IllegalStateException("step " + this.step + "'s parameters are still being sent");
        }
        payload.clear();
        payload.writeLong(step).writeInt(count);
        payload.nioBuffer(payload.writerIndex(), 4 * count).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        payload.writerIndex(payload.capacity());
        synchronized (this) {
            crcValid = false;
        }
        this.step = step;
    }

    /** The step of the encoded parameters, -1 before the first {@link #encode}. */
    public long step() {
        return step;
    }

    /** Whether no frame made from this payload is still held (by a pending write). */
    public boolean reusable() {
        return payload.refCnt() == 1;
    }

    /**
     * A hold on the current payload (one reference, taken now) from which one reply frame is made later,
     * possibly on another thread. The caller must turn it into a frame or release it.
     */
    public Lease lease() {
        if (step < 0) {
            throw new IllegalStateException("no parameters encoded yet");
        }
        return new Lease(step, payload.retainedDuplicate(), this);
    }

    /**
     * The CRC32C of the payload, computed on the first call after {@link #encode}. Callers hold a lease,
     * so the payload cannot be overwritten meanwhile.
     */
    private synchronized int payloadCrc() {
        if (!crcValid) {
            crc.reset();
            crc.update(payload.nioBuffer(0, payload.capacity()));
            payloadCrc = (int) crc.getValue();
            crcValid = true;
        }
        return payloadCrc;
    }

    /**
     * One reply's hold on a shared payload.
     *
     * @param step    the step of the parameters
     * @param payload a retained duplicate of the payload, owned by this lease
     * @param shared  the payload's owner (its CRC, computed once for all the leases)
     */
    public record Lease(long step, ByteBuf payload, SharedParams shared) {

        /** The complete frame answering {@code requestId}; takes over this lease's reference. */
        public ByteBuf frame(long requestId) {
            // Header and trailer are direct like the payload: a transport copies a composite that is not
            // all-direct into one new direct buffer before writing it (for 100 MB, fresh pages every reply).
            ByteBuf header = ByteBufAllocator.DEFAULT.directBuffer(FrameFormat.HEADER_BYTES);
            header.writeInt(FrameFormat.MAGIC).writeByte(FrameFormat.VERSION).writeByte(MessageType.PARAMS.id())
                    .writeLong(requestId).writeInt(payload.readableBytes());
            CRC32C headerCrc = new CRC32C();
            headerCrc.update(header.nioBuffer());
            int frameCrc = shared.shift.combine((int) headerCrc.getValue(), shared.payloadCrc());
            ByteBuf trailer = ByteBufAllocator.DEFAULT.directBuffer(FrameFormat.TRAILER_BYTES).writeInt(frameCrc);
            return Unpooled.wrappedBuffer(header, payload, trailer);
        }

        /**
         * Copies the parameters into {@code dst[offset, offset + count)}, {@code count} being how many the
         * payload holds (for a reader in the same JVM; allocates no array).
         */
        public void copyTo(float[] dst, int offset) {
            int count = count();
            java.util.Objects.checkFromIndexSize(offset, count, dst.length);
            payload.nioBuffer(payload.readerIndex() + PayloadCodec.PARAMS_FIXED_BYTES, 4 * count)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, offset, count);
        }

        /** How many parameters the payload holds. */
        private int count() {
            return (payload.readableBytes() - PayloadCodec.PARAMS_FIXED_BYTES) / 4;
        }

        /** Gives the reference back without sending. */
        public void release() {
            payload.release();
        }

        /** The parameters, decoded (for tests and diagnostics; allocates). */
        public float[] values() {
            float[] values = new float[count()];
            copyTo(values, 0);
            return values;
        }
    }

    /** Drops this object's reference; the memory is freed once every frame made from it is written. */
    public void release() {
        payload.release();
    }
}
