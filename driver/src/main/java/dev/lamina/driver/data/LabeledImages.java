package dev.lamina.driver.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Grey-scale images with one class label each, as read from IDX files.
 *
 * <p>Pixels are unsigned bytes (read them with {@code pixels[i] & 0xFF}), stored row-major, one
 * image after another: the pixel at row {@code r}, column {@code c} of sample {@code s} is
 * {@code pixels[s * features() + r * cols + c]}. The arrays are not copied, so that a 47 MB MNIST
 * training set is held once: treat them as read-only.
 *
 * @param count  number of samples N, >= 0
 * @param rows   image height H, > 0
 * @param cols   image width W, > 0
 * @param pixels N*H*W unsigned bytes
 * @param labels N labels, each in [0, 255]
 */
public record LabeledImages(int count, int rows, int cols, byte[] pixels, int[] labels) {

    public LabeledImages {
        if (count < 0) {
            throw new IllegalArgumentException("count : " + count + " (expected: >= 0)");
        }
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("rows x cols : " + rows + " x " + cols + " (expected: > 0 each)");
        }
        if (pixels == null || labels == null) {
            throw new IllegalArgumentException("pixels : " + pixels + ", labels : " + labels + " (expected: non-null)");
        }
        long expectedPixels = (long) count * rows * cols;
        if (pixels.length != expectedPixels) {
            throw new IllegalArgumentException("pixels.length : " + pixels.length + " (expected: " + expectedPixels
                    + " = " + count + " x " + rows + " x " + cols + ")");
        }
        if (labels.length != count) {
            throw new IllegalArgumentException("labels.length : " + labels.length + " (expected: count = " + count + ")");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 255) {
                throw new IllegalArgumentException("labels[" + i + "] : " + labels[i] + " (expected: in [0, 255])");
            }
        }
    }

    /** Pixels per image, H*W. */
    public int features() {
        return rows * cols;
    }

    /** The unsigned value (0..255) of pixel {@code index} (in [0, H*W)) of sample {@code sample}. */
    public int pixel(int sample, int index) {
        if (sample < 0 || sample >= count || index < 0 || index >= features()) {
            throw new IndexOutOfBoundsException("sample, index : " + sample + ", " + index
                    + " (expected: in [0, " + count + "), [0, " + features() + "))");
        }
        return pixels[sample * features() + index] & 0xFF;
    }

    /** The first {@code n} samples, copied; {@code n} in [0, count]. */
    public LabeledImages head(int n) {
        if (n < 0 || n > count) {
            throw new IllegalArgumentException("n : " + n + " (expected: in [0, " + count + "])");
        }
        return new LabeledImages(n, rows, cols, Arrays.copyOf(pixels, n * features()), Arrays.copyOf(labels, n));
    }

    /**
     * SHA-256 (64 hex digits) over N, H, W (big-endian ints), the pixels and the labels (one byte
     * each): identifies exactly which data a model saw, for provenance.
     */
    public String fingerprint() {
        MessageDigest digest = Sha256.newDigest();
        digest.update(ByteBuffer.allocate(12).putInt(count).putInt(rows).putInt(cols).array());
        digest.update(pixels);
        byte[] labelBytes = new byte[count];
        for (int i = 0; i < count; i++) {
            labelBytes[i] = (byte) labels[i];
        }
        digest.update(labelBytes);
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabeledImages other
                && count == other.count && rows == other.rows && cols == other.cols
                && Arrays.equals(pixels, other.pixels) && Arrays.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * count + rows) + cols) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "LabeledImages[count=" + count + ", rows=" + rows + ", cols=" + cols + "]";
    }
}
