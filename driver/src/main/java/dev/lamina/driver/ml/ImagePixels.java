package dev.lamina.driver.ml;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Pixels of one image as a model input: [C, H, W] planes in [0, 1], channels in RGB order. Sources are
 * Spark's image structs (8-bit interleaved rows in OpenCV's BGR or BGRA order, or one gray channel) and
 * encoded image files (PNG, JPEG, BMP, GIF, decoded with the JDK's ImageIO as Spark's image source
 * does: gray images from their raster, others through sRGB). Three or four source channels become one
 * by ITU-R BT.601 luma; one becomes three by copying. Sizes must match: images are not resized.
 */
final class ImagePixels {

    private ImagePixels() {
    }

    /**
     * Interleaved 8-bit pixels (rows of {@code width} pixels of {@code sourceChannels} bytes, BGR(A)
     * order) as [channels, height, width] floats.
     *
     * @param origin where the image came from, for messages
     */
    static float[] fromInterleaved(byte[] data, int height, int width, int sourceChannels, int channels,
                                   String origin) {
        if (sourceChannels != 1 && sourceChannels != 3 && sourceChannels != 4) {
            throw new IllegalArgumentException("image " + origin + " has " + sourceChannels
                    + " channels (expected: 1, 3 or 4)");
        }
        if (data.length != (long) height * width * sourceChannels) {
            throw new IllegalArgumentException("image " + origin + " holds " + data.length + " bytes (expected: "
                    + height + " x " + width + " x " + sourceChannels + ")");
        }
        int plane = height * width;
        float[] out = new float[channels * plane];
        for (int p = 0; p < plane; p++) {
            int at = p * sourceChannels;
            if (sourceChannels == 1) {
                float v = (data[at] & 0xFF) / 255f;
                for (int c = 0; c < channels; c++) {
                    out[c * plane + p] = v;
                }
                continue;
            }
            float b = (data[at] & 0xFF) / 255f;
            float g = (data[at + 1] & 0xFF) / 255f;
            float r = (data[at + 2] & 0xFF) / 255f;
            if (channels == 1) {
                out[p] = 0.299f * r + 0.587f * g + 0.114f * b;
            } else {
                out[p] = r;
                out[plane + p] = g;
                out[2 * plane + p] = b;
            }
        }
        return out;
    }

    /** Checks an image's size against the model input [channels, height, width]. */
    static void checkSize(int height, int width, int wantHeight, int wantWidth, int channels, String origin) {
        if (height != wantHeight || width != wantWidth) {
            throw new IllegalArgumentException("image " + origin + " is " + height + " x " + width + " pixels (expected: "
                    + wantHeight + " x " + wantWidth + ", the model input [" + channels + ", " + wantHeight + ", "
                    + wantWidth + "]; images are not resized)");
        }
    }

    /** An encoded image file's pixels as [channels, height, width] floats of the required size. */
    static float[] decode(byte[] encoded, int channels, int height, int width, String origin) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("file " + origin + " : cannot decode it as an image (" + e.getMessage()
                    + ")", e);
        }
        if (image == null) {
            throw new IllegalArgumentException("file " + origin + " : " + encoded.length + " bytes that are not an image"
                    + " ImageIO reads (expected: PNG, JPEG, BMP or GIF)");
        }
        checkSize(image.getHeight(), image.getWidth(), height, width, channels, origin);
        byte[] data;
        int sourceChannels;
        if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getRaster().getNumBands() == 1) {
            sourceChannels = 1;
            data = new byte[height * width];
            int shift = Math.max(0, image.getColorModel().getComponentSize(0) - 8);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    data[y * width + x] = (byte) (image.getRaster().getSample(x, y, 0) >> shift);
                }
            }
        } else {
            sourceChannels = 3;
            data = new byte[height * width * 3];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int rgb = image.getRGB(x, y);
                    int at = (y * width + x) * 3;
                    data[at] = (byte) rgb;
                    data[at + 1] = (byte) (rgb >> 8);
                    data[at + 2] = (byte) (rgb >> 16);
                }
            }
        }
        return fromInterleaved(data, height, width, sourceChannels, channels, origin);
    }
}
