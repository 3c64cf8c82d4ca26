package dev.lamina.driver.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format) of unsigned bytes: an images file and its labels file.
 *
 * <p>Format, all integers big-endian: images are magic {@code 0x00000803}, then N, H, W, then N*H*W
 * unsigned bytes; labels are magic {@code 0x00000801}, then N, then N unsigned bytes. Files whose
 * names end in {@code .gz} are gunzipped on the fly. The reader checks the magic numbers, that both
 * files hold the same N, and that each file holds exactly the bytes its header announces.
 */
public final class IdxReader {

    /** Magic number of an IDX file of unsigned bytes with 3 dimensions (N, H, W). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with 1 dimension (N). */
    public static final int LABELS_MAGIC = 0x00000801;

    /** Largest image side accepted; guards against allocating from a corrupt header. */
    private static final int MAX_SIDE = 1 << 16;
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /** Reads all samples of an images file and its labels file. */
    public static LabeledImages read(Path imagesFile, Path labelsFile) throws IOException {
        return read(imagesFile, labelsFile, Integer.MAX_VALUE);
    }

    /**
     * Reads the first {@code min(limit, N)} samples; still checks that each file is complete.
     *
     * @param limit at most this many samples, >= 0
     */
    public static LabeledImages read(Path imagesFile, Path labelsFile, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit : " + limit + " (expected: >= 0)");
        }
        Part images = readPart(imagesFile, IMAGES_MAGIC, limit);
        Part labels = readPart(labelsFile, LABELS_MAGIC, limit);
        if (images.total != labels.total) {
            throw new IOException("sample count mismatch: images=" + images.total + " in " + imagesFile
                    + ", labels=" + labels.total + " in " + labelsFile);
        }
        int[] labelValues = new int[labels.data.length];
        for (int i = 0; i < labelValues.length; i++) {
            labelValues[i] = labels.data[i] & 0xFF;
        }
        int n = labelValues.length;
        return new LabeledImages(n, images.rows, images.cols, images.data, labelValues);
    }

    /** One IDX file: its header's N, the sample shape, and the first samples' bytes. */
    private record Part(int total, int rows, int cols, byte[] data) {
    }

    private static Part readPart(Path file, int expectedMagic, int limit) throws IOException {
        String kind = expectedMagic == IMAGES_MAGIC ? "images" : "labels";
        int headerBytes = expectedMagic == IMAGES_MAGIC ? 16 : 8;
        boolean gzip = file.getFileName().toString().endsWith(".gz");
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = new BufferedInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16)) {
            ByteBuffer header = ByteBuffer.wrap(readExactly(in, headerBytes, kind + " header", file));
            int magic = header.getInt();
            if (magic != expectedMagic) {
                throw new IOException(String.format("%s magic : 0x%08x (expected: 0x%08x) in %s",
                        kind, magic, expectedMagic, file));
            }
            int total = header.getInt();
            int rows = expectedMagic == IMAGES_MAGIC ? header.getInt() : 1;
            int cols = expectedMagic == IMAGES_MAGIC ? header.getInt() : 1;
            checkDims(kind, total, rows, cols, file);
            long sampleBytes = (long) rows * cols;
            long expectedLength = headerBytes + total * sampleBytes;
            if (!gzip && Files.size(file) != expectedLength) {
                throw new IOException(lengthMessage(kind, Files.size(file), expectedLength, total, rows, cols, file));
            }
            int n = Math.min(limit, total);
            byte[] data = readExactly(in, Math.toIntExact(n * sampleBytes), kind + " data", file);
            if (gzip) {
                long rest = drain(in);
                long actual = headerBytes + n * sampleBytes + rest;
                if (actual != expectedLength) {
                    throw new IOException(lengthMessage(kind, actual, expectedLength, total, rows, cols, file));
                }
            }
            return new Part(total, rows, cols, data);
        }
    }

    private static void checkDims(String kind, int total, int rows, int cols, Path file) throws IOException {
        if (total < 0) {
            throw new IOException(kind + " count : " + total + " (expected: >= 0) in " + file);
        }
        if (rows <= 0 || rows > MAX_SIDE || cols <= 0 || cols > MAX_SIDE) {
            throw new IOException(kind + " rows x cols : " + rows + " x " + cols
                    + " (expected: in [1, " + MAX_SIDE + "] each) in " + file);
        }
        long bytes = (long) total * rows * cols;
        if (bytes > MAX_ARRAY) {
            throw new IOException(kind + " size : " + total + " x " + rows + " x " + cols + " = " + bytes
                    + " bytes (expected: <= " + MAX_ARRAY + ") in " + file);
        }
    }

    private static String lengthMessage(String kind, long actual, long expected, int total, int rows, int cols,
                                        Path file) {
        String shape = kind.equals("images") ? total + " x " + rows + " x " + cols : String.valueOf(total);
        return kind + " file length : " + actual + " bytes (expected: " + expected + " = header + " + shape
                + ") in " + file;
    }

    private static byte[] readExactly(InputStream in, int length, String what, Path file) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("truncated " + what + " : " + bytes.length + " bytes (expected: " + length
                    + ") in " + file);
        }
        return bytes;
    }

    private static long drain(InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
        }
        return total;
    }
}
