package dev.lamina.driver.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagePixelsTest {

    private static float u(int v) {
        return v / 255f;
    }

    @Test
    void bgrPixelsBecomeRgbPlanes() {
        // 1 x 2 image: pixel 0 is B=10 G=20 R=30, pixel 1 is B=40 G=50 R=60.
        byte[] bgr = {10, 20, 30, 40, 50, 60};
        float[] chw = ImagePixels.fromInterleaved(bgr, 1, 2, 3, 3, "test");
        assertArrayEquals(new float[] {u(30), u(60), u(20), u(50), u(10), u(40)}, chw);
        byte[] bgra = {10, 20, 30, (byte) 255, 40, 50, 60, 0};
        assertArrayEquals(chw, ImagePixels.fromInterleaved(bgra, 1, 2, 4, 3, "test"), "alpha is dropped");
    }

    @Test
    void channelsConvertBothWays() {
        byte[] gray = {0, (byte) 200};
        assertArrayEquals(new float[] {0, u(200), 0, u(200), 0, u(200)}, ImagePixels.fromInterleaved(gray, 1, 2, 1, 3, "g"));
        assertArrayEquals(new float[] {0, u(200)}, ImagePixels.fromInterleaved(gray, 1, 2, 1, 1, "g"));
        byte[] bgr = {(byte) 100, (byte) 150, (byte) 200};
        float luma = 0.299f * u(200) + 0.587f * u(150) + 0.114f * u(100);
        assertEquals(luma, ImagePixels.fromInterleaved(bgr, 1, 1, 3, 1, "c")[0], 1e-6f);
    }

    @Test
    void badDataIsNamed() {
        assertEquals("image x.png holds 5 bytes (expected: 1 x 2 x 3)", assertThrows(IllegalArgumentException.class,
                () -> ImagePixels.fromInterleaved(new byte[5], 1, 2, 3, 3, "x.png")).getMessage());
        assertEquals("image x.png has 2 channels (expected: 1, 3 or 4)", assertThrows(IllegalArgumentException.class,
                () -> ImagePixels.fromInterleaved(new byte[4], 1, 2, 2, 3, "x.png")).getMessage());
    }

    private static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "png", out));
        return out.toByteArray();
    }

    @Test
    void decodesGrayAndColourFilesExactly() throws Exception {
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 17, 128, 200, 254, 255};
        for (int i = 0; i < values.length; i++) {
            gray.getRaster().setSample(i % 3, i / 3, 0, values[i]);
        }
        float[] g = ImagePixels.decode(png(gray), 1, 2, 3, "gray.png");
        for (int i = 0; i < values.length; i++) {
            assertEquals(u(values[i]), g[i], "gray values are read from the raster, not through a colour space");
        }
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0x102030);
        rgb.setRGB(1, 0, 0xA0B0C0);
        assertArrayEquals(new float[] {u(0x10), u(0xA0), u(0x20), u(0xB0), u(0x30), u(0xC0)},
                ImagePixels.decode(png(rgb), 3, 1, 2, "rgb.png"));
    }

    @Test
    void wrongSizesAndNonImagesAreNamed() throws Exception {
        byte[] small = png(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY));
        assertEquals("image a/b.png is 4 x 4 pixels (expected: 28 x 28, the model input [1, 28, 28]; images are not"
                + " resized)", assertThrows(IllegalArgumentException.class,
                () -> ImagePixels.decode(small, 1, 28, 28, "a/b.png")).getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImagePixels.decode("not an image".getBytes(), 1, 28, 28, "notes.txt"));
        assertTrue(e.getMessage().startsWith("file notes.txt : 12 bytes that are not an image"), e.getMessage());
    }
}
