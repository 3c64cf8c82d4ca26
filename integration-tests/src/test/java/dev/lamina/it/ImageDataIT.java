package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.TrainedModel;
import dev.lamina.driver.data.LabeledImages;
import dev.lamina.driver.data.Mnist;
import dev.lamina.driver.ml.ImageFeaturizer;
import dev.lamina.jobs.TrainJob;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image files as training data, in the one-folder-per-class layout: an MNIST subset written as PNG
 * files under train/0..9 and test/0..9, trained by the LeNet job through Spark's image source and
 * through binary files decoded on the executors, with the class taken from the directory name; a file
 * of the wrong size and a test class the training data lacks fail before training, naming the file or
 * the directory, and leave no model behind.
 */
class ImageDataIT {
    private static final String CONFIG = Path.of("..", "conf", "mnist-lenet.yaml").toString();
    private static final int TRAIN = 1024;
    private static final int TEST = 300;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writePngs() throws Exception {
        write(Mnist.load(TestCache.dir(), true, TRAIN), dir.resolve("train"));
        write(Mnist.load(TestCache.dir(), false, TEST), dir.resolve("test"));
        // the error cases need only a few images per class
        write(Mnist.load(TestCache.dir(), true, 100), dir.resolve("small-train"));
        write(Mnist.load(TestCache.dir(), false, 100), dir.resolve("small-test"));
    }

    private static void write(LabeledImages images, Path root) throws Exception {
        for (int s = 0; s < images.count(); s++) {
            BufferedImage png = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int i = 0; i < 784; i++) {
                png.getRaster().setSample(i % 28, i / 28, 0, images.pixel(s, i));
            }
            Path file = root.resolve(String.valueOf(images.labels()[s])).resolve(String.format("%05d.png", s));
            Files.createDirectories(file.getParent());
            ImageIO.write(png, "png", file.toFile());
        }
    }

    private static String[] args(String format, Path train, Path test, Path out) {
        return new String[] {"--config", CONFIG, "--output", out.toString(), "--master", "local[2]",
            "--set", "training.epochs=3", "--set", "training.batchSize=64", "--set", "data.dataset=files",
            "--set", "data.format=" + format, "--set", "data.labelFromDirectory=true",
            "--set", "data.train=" + train.toUri(), "--set", "data.test=" + test.toUri()};
    }

    @Test
    void imageFoldersTrainThroughTheImageSourceAndThroughBinaryFiles() throws Exception {
        for (String format : List.of("image", "binaryFile")) {
            TrainedModel model = TrainJob.run(args(format, dir.resolve("train"), dir.resolve("test"),
                    dir.resolve("out-" + format)));
            double accuracy = ((Number) model.metrics().get("test_accuracy")).doubleValue();
            System.out.printf("ImageDataIT: %s test accuracy %.4f%n", format, accuracy);
            assertTrue(accuracy > 0.7, format + ": test accuracy " + accuracy);
            assertEquals(3L * TRAIN, model.history().stream().mapToLong(r -> r.samples()).sum(), "every image trained");
            assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), model.provenance().get("classNames"));
            String json = Files.readString(dir.resolve("out-" + format).resolve("model.json"));
            assertTrue(json.contains("classNames"), "model.json records the class names");
        }
        SparkSession spark = SparkSession.builder().master("local[1]").appName("featurizer save").getOrCreate();
        try {
            ImageFeaturizer stage = new ImageFeaturizer().setInputCol("content").setShape(3, 32, 32);
            stage.write().overwrite().save(dir.resolve("featurizer").toString());
            ImageFeaturizer loaded = ImageFeaturizer.load(dir.resolve("featurizer").toString());
            assertEquals("content", loaded.getOrDefault(loaded.inputCol()));
            assertEquals(32, (Integer) loaded.getOrDefault(loaded.width()));
            assertEquals(3, (Integer) loaded.getOrDefault(loaded.channels()));
        } finally {
            spark.stop();
        }
    }

    @Test
    void aWrongSizedImageOrAnUnknownClassFailsBeforeTraining() throws Exception {
        Path train = dir.resolve("bad-train");
        copyTree(dir.resolve("small-train"), train);
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY), "png",
                train.resolve("3").resolve("big.png").toFile());
        Path out = dir.resolve("out-bad");
        Exception e = assertThrows(Exception.class, () -> TrainJob.run(args("image", train, dir.resolve("small-test"), out)));
        assertTrue(causes(e).contains("big.png is 32 x 32 pixels (expected: 28 x 28"), causes(e));
        assertFalse(Files.exists(out.resolve("model.json")), "no model written");

        Path test = dir.resolve("bad-test");
        copyTree(dir.resolve("small-test"), test);
        Files.createDirectories(test.resolve("cat"));
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", test.resolve("cat/c.png").toFile());
        Exception unknown = assertThrows(IllegalArgumentException.class,
                () -> TrainJob.run(args("binaryFile", dir.resolve("small-train"), test, out)));
        assertTrue(unknown.getMessage().contains("class directories [cat] that data.train does not have"),
                unknown.getMessage());
        assertFalse(Files.exists(out.resolve("model.json")), "no model written");
    }

    private static String causes(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    private static void copyTree(Path from, Path to) throws Exception {
        List<Path> files = new ArrayList<>();
        try (var walk = Files.walk(from)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            Path target = to.resolve(from.relativize(f).toString());
            Files.createDirectories(target.getParent());
            Files.copy(f, target);
        }
    }
}
