package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.TrainedModel;
import dev.lamina.driver.data.LabeledImages;
import dev.lamina.driver.data.Mnist;
import dev.lamina.jobs.TrainJob;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's own data through {@code data.dataset: files}: the same MNIST subset written as Parquet
 * (an array column and a label column of another name), as a headered CSV of one column per pixel,
 * and as libsvm text, each trained from its files by the train job.
 */
class DataSourcesIT {
    private static final String CONFIG = Path.of("..", "conf", "mnist-mlp.yaml").toString();
    private static final int TRAIN = 2048;
    private static final int TEST = 1000;

    @TempDir
    static Path dir;
    private static LabeledImages train;
    private static LabeledImages test;

    @BeforeAll
    static void load() throws Exception {
        train = Mnist.load(TestCache.dir(), true, TRAIN);
        test = Mnist.load(TestCache.dir(), false, TEST);
    }

    private static TrainedModel trainFrom(String format, Path trainPath, Path testPath, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--config", CONFIG, "--output", dir.resolve("out-" + format).toString(),
                "--master", "local[2]", "--set", "training.epochs=3", "--set", "training.workers=2",
                "--set", "training.batchSize=64", "--set", "data.dataset=files", "--set", "data.format=" + format,
                "--set", "data.train=" + trainPath.toUri(), "--set", "data.test=" + testPath.toUri()));
        args.addAll(List.of(extra));
        TrainedModel model = TrainJob.run(args.toArray(new String[0]));
        double accuracy = ((Number) model.metrics().get("test_accuracy")).doubleValue();
        System.out.printf("DataSourcesIT: %s test accuracy %.4f%n", format, accuracy);
        assertTrue(accuracy > 0.85, format + " test accuracy " + accuracy);
        assertEquals(3 * TRAIN, model.history().stream().mapToLong(r -> r.samples()).sum(), "every row trained");
        return model;
    }

    private static float value(LabeledImages images, int sample, int i) {
        return images.pixel(sample, i) / 255f;
    }

    @Test
    void parquetWithAnArrayColumnAndAnotherLabelName() throws Exception {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("write parquet").getOrCreate();
        try {
            for (boolean isTrain : new boolean[] {true, false}) {
                LabeledImages images = isTrain ? train : test;
                List<Row> rows = new ArrayList<>();
                for (int s = 0; s < images.count(); s++) {
                    float[] v = new float[images.features()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = value(images, s, i);
                    }
                    Float[] boxed = new Float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        boxed[i] = v[i];
                    }
                    rows.add(RowFactory.create(images.labels()[s], boxed));
                }
                StructType schema = new StructType().add("digit", DataTypes.IntegerType)
                        .add("pixels", DataTypes.createArrayType(DataTypes.FloatType));
                spark.createDataFrame(rows, schema).write().parquet(dir.resolve(isTrain ? "train.parquet" : "test.parquet")
                        .toString());
            }
        } finally {
            spark.stop();
        }
        trainFrom("parquet", dir.resolve("train.parquet"), dir.resolve("test.parquet"),
                "--set", "data.featuresCol=pixels", "--set", "data.labelCol=digit");
    }

    @Test
    void csvWithOneColumnPerPixel() throws Exception {
        Path trainCsv = writeCsv(train, dir.resolve("train.csv"));
        Path testCsv = writeCsv(test, dir.resolve("test.csv"));
        trainFrom("csv", trainCsv, testCsv, "--set", "data.options.header=true", "--set", "data.options.inferSchema=true");
    }

    @Test
    void libsvmText() throws Exception {
        Path trainTxt = writeLibsvm(train, dir.resolve("train.libsvm"));
        Path testTxt = writeLibsvm(test, dir.resolve("test.libsvm"));
        trainFrom("libsvm", trainTxt, testTxt, "--set", "data.options.numFeatures=784");
    }

    @Test
    void aMissingColumnOrPathIsNamedBeforeTraining() throws Exception {
        Path csv = writeCsv(test, dir.resolve("small.csv"));
        IllegalArgumentException column = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(new String[] {
            "--config", CONFIG, "--output", dir.resolve("none").toString(), "--master", "local[2]",
            "--set", "data.dataset=files", "--set", "data.format=csv", "--set", "data.train=" + csv.toUri(),
            "--set", "data.test=" + csv.toUri(), "--set", "data.options.header=true",
            "--set", "data.featureColumns=[p0, p1, q7]"}));
        assertTrue(column.getMessage().contains("data.featureColumns : q7 is not a column of"), column.getMessage());
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(new String[] {
            "--config", CONFIG, "--output", dir.resolve("none").toString(), "--master", "local[2]",
            "--set", "data.dataset=files", "--set", "data.format=parquet", "--set", "data.train=" + dir.resolve("nope").toUri(),
            "--set", "data.test=" + csv.toUri()}));
        assertTrue(path.getMessage().contains("data.train : " + dir.resolve("nope").toUri()), path.getMessage());
        assertTrue(Files.notExists(dir.resolve("none")), "no output for refused input");
    }

    private static Path writeCsv(LabeledImages images, Path file) throws Exception {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("label");
            for (int i = 0; i < images.features(); i++) {
                w.write(",p" + i);
            }
            w.newLine();
            for (int s = 0; s < images.count(); s++) {
                w.write(Integer.toString(images.labels()[s]));
                for (int i = 0; i < images.features(); i++) {
                    float v = value(images, s, i);
                    w.write(v == 0f ? ",0" : "," + v);
                }
                w.newLine();
            }
        }
        return file;
    }

    private static Path writeLibsvm(LabeledImages images, Path file) throws Exception {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int s = 0; s < images.count(); s++) {
                w.write(Integer.toString(images.labels()[s]));
                for (int i = 0; i < images.features(); i++) {
                    float v = value(images, s, i);
                    if (v != 0f) {
                        w.write(" " + (i + 1) + ":" + v);
                    }
                }
                w.newLine();
            }
        }
        return file;
    }
}
