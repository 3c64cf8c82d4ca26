package dev.lamina.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabeledImagesTest {

    private static LabeledImages three() {
        byte[] pixels = new byte[3 * 2 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (250 + i);
        }
        return new LabeledImages(3, 2, 2, pixels, new int[] {7, 2, 9});
    }

    @Test
    void validatesShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LabeledImages(3, 2, 2, new byte[11], new int[3]));
        assertEquals("pixels.length : 11 (expected: 12 = 3 x 2 x 2)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LabeledImages(3, 2, 2, new byte[12], new int[2]));
        assertEquals("labels.length : 2 (expected: count = 3)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LabeledImages(-1, 2, 2, new byte[0], new int[0]));
        assertEquals("count : -1 (expected: >= 0)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LabeledImages(0, 0, 2, new byte[0], new int[0]));
        assertEquals("rows x cols : 0 x 2 (expected: > 0 each)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new LabeledImages(1, 1, 1, new byte[1], new int[] {256}));
        assertEquals("labels[0] : 256 (expected: in [0, 255])", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LabeledImages(1, 1, 1, null, new int[1]));
    }

    @Test
    void headCopiesTheFirstSamples() {
        LabeledImages all = three();
        LabeledImages two = all.head(2);
        assertEquals(2, two.count());
        assertEquals(4, two.features());
        assertArrayEquals(new int[] {7, 2}, two.labels());
        assertEquals(8, two.pixels().length);
        assertEquals(255, two.pixel(1, 1));
        assertEquals(all, all.head(3));
        assertEquals(0, all.head(0).count());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> all.head(4));
        assertEquals("n : 4 (expected: in [0, 3])", e.getMessage());
        two.pixels()[0] = 0;
        assertEquals(250, all.pixel(0, 0), "head copies, it does not share");
    }

    @Test
    void pixelIsUnsignedAndBoundsChecked() {
        LabeledImages all = three();
        assertEquals(250, all.pixel(0, 0));
        assertEquals(5, all.pixel(2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> all.pixel(3, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> all.pixel(0, 4));
    }

    @Test
    void fingerprintCoversDimsPixelsAndLabels() {
        LabeledImages a = three();
        assertEquals(64, a.fingerprint().length());
        assertEquals(a.fingerprint(), three().fingerprint());
        LabeledImages relabeled = new LabeledImages(3, 2, 2, a.pixels(), new int[] {7, 2, 8});
        LabeledImages reshaped = new LabeledImages(3, 1, 4, a.pixels(), a.labels());
        assertNotEquals(a.fingerprint(), relabeled.fingerprint());
        assertNotEquals(a.fingerprint(), reshaped.fingerprint());
        assertNotEquals(a, reshaped);
        assertTrue(a.toString().contains("count=3"));
    }
}
