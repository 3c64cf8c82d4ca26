package dev.lamina.ps.checkpoint;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The binary form of a {@link Checkpoint}, little-endian throughout:
 * <pre>
 * magic "LMCK" | u32 version | i64 step | u32 n | f32[n] parameters
 * | str optimizerType | i64 optimizerSteps | u32 k | k x f32[n] optimizer state
 * | u32 w | w x (i32 epoch, i64 sequence, i64 dataOffset)
 * | i64 seed | i32 completedEpochs | u32 r | u8[r] rngState | u32 p | p x (str key, str value)
 * | u32 CRC32C of every byte before it
 * </pre>
 * where {@code str} is a u32 byte length and UTF-8 bytes. Decoding checks the size, the magic, the
 * version and the CRC before anything else, and bounds every count by what remains of the input
 * before allocating, so a truncated or corrupt file fails with an {@link IOException} naming the
 * source and the bad field instead of misreading or exhausting memory.
 */
public final class CheckpointCodec {
    static final int MAGIC = 0x4B434D4C; // "LMCK" read little-endian
    static final int MAX_STATE_BUFFERS = 8;
    static final int MAX_WORKERS = 1 << 16;
    static final int MAX_STRING_BYTES = 1 << 20;
    static final int MAX_PROVENANCE_ENTRIES = 4096;
    /** The largest checkpoint a byte array holds. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 16;
    private static final int HEADER_BYTES = 8;
    private static final int CRC_BYTES = 4;

    private CheckpointCodec() {
    }

    /** The encoded form of {@code checkpoint}. */
    public static byte[] encode(Checkpoint c) {
        byte[] type = c.optimizerType().getBytes(StandardCharsets.UTF_8);
        List<byte[]> prov = new ArrayList<>();
        c.job().provenance().forEach((k, v) -> {
            prov.add(k.getBytes(StandardCharsets.UTF_8));
            prov.add(v.getBytes(StandardCharsets.UTF_8));
        });
        byte[] rng = c.job().rngState();
        checkLimits(c, prov, rng);
        long n = c.parameters().length;
        long size = HEADER_BYTES + 8 + 4 + 4 * n + 4 + type.length + 8 + 4 + 4 * n * c.optimizerState().length
                + 4 + 20L * c.workers().size() + 8 + 4 + 4 + rng.length + 4 + CRC_BYTES;
        for (byte[] s : prov) {
            size += 4 + s.length;
        }
        if (size > MAX_BYTES) {
            throw new IllegalArgumentException("checkpoint size : " + size + " bytes (expected: <= " + MAX_BYTES + ")");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(Checkpoint.FORMAT_VERSION).putLong(c.step());
        putFloats(b.putInt(c.parameters().length), c.parameters());
        b.putInt(type.length).put(type).putLong(c.optimizerSteps()).putInt(c.optimizerState().length);
        for (float[] s : c.optimizerState()) {
            putFloats(b, s);
        }
        b.putInt(c.workers().size());
        for (Checkpoint.WorkerRecord w : c.workers()) {
            b.putInt(w.epoch()).putLong(w.sequence()).putLong(w.dataOffset());
        }
        b.putLong(c.job().seed()).putInt(c.job().completedEpochs()).putInt(rng.length).put(rng);
        b.putInt(prov.size() / 2);
        for (byte[] s : prov) {
            b.putInt(s.length).put(s);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * Decodes {@code bytes} read from {@code source} (named in errors).
     *
     * @throws IOException if the bytes are truncated, corrupt, of another format or version, or out of bounds
     */
    public static Checkpoint decode(String source, byte[] bytes) throws IOException {
        Reader r = new Reader(source, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        if (bytes.length < HEADER_BYTES + CRC_BYTES) {
            throw r.error("size", bytes.length + " bytes", ">= " + (HEADER_BYTES + CRC_BYTES) + ", truncated?");
        }
        int magic = r.buf.getInt();
        if (magic != MAGIC) {
            throw r.error("magic", "0x" + Integer.toHexString(magic), "0x" + Integer.toHexString(MAGIC) + ", \"LMCK\"");
        }
        int version = r.buf.getInt();
        if (version != Checkpoint.FORMAT_VERSION) {
            throw r.error("version", String.valueOf(version), String.valueOf(Checkpoint.FORMAT_VERSION));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CRC_BYTES);
        int stored = ByteBuffer.wrap(bytes, bytes.length - CRC_BYTES, CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc.getValue()) {
            throw r.error("crc32c", "0x" + Integer.toHexString(stored),
                    "0x" + Integer.toHexString((int) crc.getValue()) + ", the checksum of the contents; truncated or corrupt");
        }
        r.buf.limit(bytes.length - CRC_BYTES);
        try {
            Checkpoint c = r.checkpoint();
            if (r.buf.hasRemaining()) {
                throw r.error("trailing bytes", String.valueOf(r.buf.remaining()), "0");
            }
            return c;
        } catch (BufferUnderflowException e) {
            throw r.error("size", bytes.length + " bytes", "more: the contents end early");
        } catch (IllegalArgumentException e) {
            throw new IOException("checkpoint " + source + ": " + e.getMessage(), e);
        }
    }

    /** Refuses what {@link #decode} would refuse, so every written checkpoint reads back. */
    private static void checkLimits(Checkpoint c, List<byte[]> prov, byte[] rng) {
        for (byte[] s : prov) {
            if (s.length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("provenance string : " + s.length + " bytes (expected: <= "
                        + MAX_STRING_BYTES + ")");
            }
        }
        if (prov.size() / 2 > MAX_PROVENANCE_ENTRIES || rng.length > MAX_STRING_BYTES
                || c.workers().size() > MAX_WORKERS || c.optimizerState().length > MAX_STATE_BUFFERS) {
            throw new IllegalArgumentException("provenance entries : " + prov.size() / 2 + ", rngState : " + rng.length
                    + " bytes, workers : " + c.workers().size() + ", state buffers : " + c.optimizerState().length
                    + " (expected: <= " + MAX_PROVENANCE_ENTRIES + ", " + MAX_STRING_BYTES + ", " + MAX_WORKERS + ", "
                    + MAX_STATE_BUFFERS + ")");
        }
    }

    private static void putFloats(ByteBuffer b, float[] values) {
        b.asFloatBuffer().put(values);
        b.position(b.position() + 4 * values.length);
    }

    /** Reads the fields after the header, bounding every count by what remains. */
    private record Reader(String source, ByteBuffer buf) {

        Checkpoint checkpoint() throws IOException {
            long step = buf.getLong();
            int n = count("parameter count", 1, 4, Integer.MAX_VALUE);
            float[] params = floats(n);
            String type = string("optimizerType");
            long optimizerSteps = buf.getLong();
            int k = count("optimizer state buffers", 0, 4L * n, MAX_STATE_BUFFERS);
            float[][] state = new float[k][];
            for (int i = 0; i < k; i++) {
                state[i] = floats(n);
            }
            int w = count("workers", 1, 20, MAX_WORKERS);
            List<Checkpoint.WorkerRecord> workers = new ArrayList<>(w);
            for (int i = 0; i < w; i++) {
                workers.add(new Checkpoint.WorkerRecord(buf.getInt(), buf.getLong(), buf.getLong()));
            }
            long seed = buf.getLong();
            int epochs = buf.getInt();
            byte[] rng = new byte[count("rngState bytes", 0, 1, MAX_STRING_BYTES)];
            buf.get(rng);
            int p = count("provenance entries", 0, 8, MAX_PROVENANCE_ENTRIES);
            Map<String, String> provenance = new LinkedHashMap<>();
            for (int i = 0; i < p; i++) {
                provenance.put(string("provenance key"), string("provenance value"));
            }
            return new Checkpoint(step, params, type, optimizerSteps, state, workers,
                    new JobState(seed, epochs, rng, provenance));
        }

        /** A u32 count in [min, max] whose elements of {@code unitBytes} each fit in what remains. */
        int count(String field, int min, long unitBytes, int max) throws IOException {
            long value = Integer.toUnsignedLong(buf.getInt());
            long fits = unitBytes == 0 ? max : buf.remaining() / unitBytes;
            if (value < min || value > max || value > fits) {
                throw error(field, String.valueOf(value), "in [" + min + ", " + Math.min(max, fits)
                        + "], bounded by the " + buf.remaining() + " bytes that remain");
            }
            return (int) value;
        }

        float[] floats(int n) {
            float[] values = new float[n];
            buf.asFloatBuffer().get(values);
            buf.position(buf.position() + 4 * n);
            return values;
        }

        String string(String field) throws IOException {
            byte[] bytes = new byte[count(field + " length", 0, 1, MAX_STRING_BYTES)];
            buf.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        IOException error(String field, String value, String expected) {
            return new IOException("checkpoint " + source + ": " + field + " : " + value + " (expected: " + expected + ")");
        }
    }
}
