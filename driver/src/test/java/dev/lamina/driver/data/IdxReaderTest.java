package dev.lamina.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    private static final int N = 5;
    private static final int H = 3;
    private static final int W = 4;

    @TempDir
    Path tmp;

    /** Pixel i of the whole set is (i * 7) mod 256, so values above 127 check unsigned handling. */
    private static byte[] pixels() {
        byte[] p = new byte[N * H * W];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 7);
        }
        return p;
    }

    private static byte[] imagesIdx(int magic, int n, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(magic).putInt(n).putInt(H).putInt(W)
                .put(pixels).array();
    }

    private static byte[] labelsIdx(int magic, int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length).putInt(magic).putInt(labels.length);
        for (int label : labels) {
            b.put((byte) label);
        }
        return b.array();
    }

    private Path write(String name, byte[] data) throws IOException {
        Path file = tmp.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                out.write(data);
            }
        } else {
            Files.write(file, data);
        }
        return file;
    }

    private Path images() throws IOException {
        return write("images-idx3-ubyte", imagesIdx(IdxReader.IMAGES_MAGIC, N, pixels()));
    }

    private Path labels() throws IOException {
        return write("labels-idx1-ubyte", labelsIdx(IdxReader.LABELS_MAGIC, 5, 0, 4, 1, 255));
    }

    @Test
    void readsUncompressedFiles() throws IOException {
        LabeledImages data = IdxReader.read(images(), labels());
        assertEquals(N, data.count());
        assertEquals(H, data.rows());
        assertEquals(W, data.cols());
        assertArrayEquals(pixels(), data.pixels());
        assertArrayEquals(new int[] {5, 0, 4, 1, 255}, data.labels());
        assertEquals((13 * 7) & 0xFF, data.pixel(1, 1));
        assertEquals(((2 * H * W + 11) * 7) & 0xFF, data.pixel(2, 11));
    }

    @Test
    void readsGzipFilesLikeUncompressed() throws IOException {
        Path images = write("images-idx3-ubyte.gz", imagesIdx(IdxReader.IMAGES_MAGIC, N, pixels()));
        Path labels = write("labels-idx1-ubyte.gz", labelsIdx(IdxReader.LABELS_MAGIC, 5, 0, 4, 1, 255));
        assertEquals(IdxReader.read(images(), labels()), IdxReader.read(images, labels));
    }

    @Test
    void limitReadsTheFirstSamples() throws IOException {
        LabeledImages all = IdxReader.read(images(), labels());
        assertEquals(all.head(2), IdxReader.read(images(), labels(), 2));
        assertEquals(all, IdxReader.read(images(), labels(), 1000));
        assertEquals(0, IdxReader.read(images(), labels(), 0).count());
        Path gz = write("images.gz", imagesIdx(IdxReader.IMAGES_MAGIC, N, pixels()));
        Path gzLabels = write("labels.gz", labelsIdx(IdxReader.LABELS_MAGIC, 5, 0, 4, 1, 255));
        assertEquals(all.head(3), IdxReader.read(gz, gzLabels, 3));
        assertThrows(IllegalArgumentException.class, () -> IdxReader.read(images(), labels(), -1));
    }

    @Test
    void badMagicNamesValueAndFile() throws IOException {
        Path swapped = write("swapped", labelsIdx(IdxReader.LABELS_MAGIC, 1, 2, 3, 4, 5, 6, 7, 8));
        IOException e = assertThrows(IOException.class, () -> IdxReader.read(swapped, labels()));
        assertEquals("images magic : 0x00000801 (expected: 0x00000803) in " + swapped, e.getMessage());

        Path bad = write("bad-labels", labelsIdx(0x00000901, 1, 2, 3, 4, 5));
        e = assertThrows(IOException.class, () -> IdxReader.read(images(), bad));
        assertEquals("labels magic : 0x00000901 (expected: 0x00000801) in " + bad, e.getMessage());
    }

    @Test
    void truncatedFilesAreRejected() throws IOException {
        byte[] full = imagesIdx(IdxReader.IMAGES_MAGIC, N, pixels());
        Path cut = write("cut", Arrays.copyOf(full, full.length - 1));
        IOException e = assertThrows(IOException.class, () -> IdxReader.read(cut, labels()));
        assertEquals("images file length : 75 bytes (expected: 76 = header + 5 x 3 x 4) in " + cut, e.getMessage());

        Path cutGz = write("cut.gz", Arrays.copyOf(full, full.length - 1));
        e = assertThrows(IOException.class, () -> IdxReader.read(cutGz, labels()));
        assertTrue(e.getMessage().startsWith("truncated images data : 59 bytes (expected: 60)"), e.getMessage());

        Path header = write("header", Arrays.copyOf(full, 10));
        e = assertThrows(IOException.class, () -> IdxReader.read(header, labels()));
        assertEquals("truncated images header : 10 bytes (expected: 16) in " + header, e.getMessage());
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] full = labelsIdx(IdxReader.LABELS_MAGIC, 5, 0, 4, 1, 255);
        Path longer = write("longer.gz", Arrays.copyOf(full, full.length + 3));
        IOException e = assertThrows(IOException.class, () -> IdxReader.read(images(), longer));
        assertEquals("labels file length : 16 bytes (expected: 13 = header + 5) in " + longer, e.getMessage());
    }

    @Test
    void countMismatchNamesBothFiles() throws IOException {
        Path labels = write("four-labels", labelsIdx(IdxReader.LABELS_MAGIC, 1, 2, 3, 4));
        IOException e = assertThrows(IOException.class, () -> IdxReader.read(images(), labels));
        assertTrue(e.getMessage().contains("images=5") && e.getMessage().contains("labels=4")
                && e.getMessage().contains(labels.toString()), e.getMessage());
    }

    @Test
    void absurdDimensionsAreRejectedBeforeAllocating() throws IOException {
        byte[] header = ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(Integer.MAX_VALUE)
                .putInt(28).putInt(28).array();
        Path huge = write("huge", header);
        IOException e = assertThrows(IOException.class, () -> IdxReader.read(huge, labels()));
        assertTrue(e.getMessage().startsWith("images size : 2147483647 x 28 x 28"), e.getMessage());

        Path negative = write("negative", ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(1)
                .putInt(-3).putInt(28).array());
        e = assertThrows(IOException.class, () -> IdxReader.read(negative, labels()));
        assertTrue(e.getMessage().startsWith("images rows x cols : -3 x 28"), e.getMessage());
    }
}
