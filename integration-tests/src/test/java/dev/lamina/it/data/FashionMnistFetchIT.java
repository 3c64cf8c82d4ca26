package dev.lamina.it.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.driver.data.FashionMnist;
import dev.lamina.driver.data.LabeledImages;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Fashion-MNIST from Debian's dataset-fashion-mnist package (installed, or fetched with apt-get download). */
class FashionMnistFetchIT {

    @Test
    void loadsBothSplitsFromTheDebianPackage() throws Exception {
        String env = System.getenv("LAMINA_CACHE");
        Path cache = env != null && !env.isBlank() ? Path.of(env) : Path.of("target", "lamina-cache");
        LabeledImages train = FashionMnist.load(cache, true, 0);
        LabeledImages test = FashionMnist.load(cache, false, 0);
        assertEquals(60_000, train.count());
        assertEquals(10_000, test.count());
        assertEquals(28, train.rows());
        assertArrayEquals(new int[] {9, 0, 0, 3, 0}, Arrays.copyOf(train.labels(), 5));
        assertArrayEquals(new int[] {9, 2, 1, 1, 6}, Arrays.copyOf(test.labels(), 5));
        int[] perClass = new int[10];
        for (int label : test.labels()) {
            perClass[label]++;
        }
        for (int k = 0; k < 10; k++) {
            assertEquals(1000, perClass[k], "test images of class " + k);
        }
        assertEquals(100, FashionMnist.load(cache, true, 100).count());
    }
}
