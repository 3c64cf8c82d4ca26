package dev.lamina.jobs;

import dev.lamina.driver.ml.ImageFeaturizer;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Image files as training data ({@code data.format: image} or {@code binaryFile}): Spark reads them on
 * the executors (its image source, or the files' bytes decoded by {@link ImageFeaturizer}), at the
 * model's input size [C, H, W]. The class is a label column, or with {@code data.labelFromDirectory}
 * the name of each file's directory: class k is the k-th subdirectory of {@code data.train} in sorted
 * order (the "one folder per class" layout), the same for the test split.
 */
final class ImageFiles {
    private static final String FEATURES_TMP = "__lamina_features";

    private ImageFiles() {
    }

    /** One split's frame with {@link DataLoader#FEATURES} and {@link DataLoader#LABEL}. */
    static Dataset<Row> frame(SparkSession spark, DataConfig.Files f, boolean train, ModelSpec model) {
        Shape input = model.dataShape();
        if (input.rank() != 3) {
            throw new IllegalArgumentException("data.format : " + f.format() + " with model.input " + input + " (expected:"
                    + " an image input [channels, height, width]; for an MLP start the layers with flatten)");
        }
        String path = train ? f.train() : f.test();
        boolean imageSource = f.format().equalsIgnoreCase("image");
        Map<String, String> options = new HashMap<>(f.options());
        if (f.labelFromDirectory()) {
            // the class folders are not key=value partitions: list every file below the path instead
            options.putIfAbsent("recursiveFileLookup", "true");
        }
        Dataset<Row> raw = spark.read().format(imageSource ? "image" : "binaryFile").options(options).load(path);
        Dataset<Row> featurized = new ImageFeaturizer().setInputCol(imageSource ? "image" : "content")
                .setOutputCol(FEATURES_TMP).setShape(input.dim(0), input.dim(1), input.dim(2)).transform(raw);
        Column label;
        if (f.labelFromDirectory()) {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            List<String> classes = classNames(f.train(), "data.train", hadoop);
            if (!train) {
                List<String> unknown = new ArrayList<>(classNames(f.test(), "data.test", hadoop));
                unknown.removeAll(classes);
                if (!unknown.isEmpty()) {
                    throw new IllegalArgumentException("data.test : " + f.test() + " has class directories " + unknown
                            + " that data.train does not have (expected: some of " + classes + ")");
                }
            }
            checkClassCount(classes, model, f.train());
            Column origin = imageSource ? raw.col("image.origin") : raw.col("path");
            Column names = functions.array(classes.stream().map(functions::lit).toArray(Column[]::new));
            label = functions.array_position(names, functions.element_at(functions.split(origin, "/"), -2))
                    .minus(1).cast("int");
        } else {
            label = DataLoader.column(raw, f.labelCol(), "data.labelCol", path);
        }
        return featurized.select(featurized.col(FEATURES_TMP).as(DataLoader.FEATURES), label.as(DataLoader.LABEL));
    }

    /** The sorted names of the subdirectories of {@code url}: the classes. */
    static List<String> classNames(String url, String key, Configuration hadoop) {
        try {
            Path dir = new Path(url);
            FileSystem fs = dir.getFileSystem(hadoop);
            if (!fs.getFileStatus(dir).isDirectory()) {
                throw new IllegalArgumentException(key + " : " + url + " is a file (expected: a directory with one"
                        + " subdirectory of images per class, for data.labelFromDirectory)");
            }
            List<String> names = new ArrayList<>();
            for (FileStatus st : fs.listStatus(dir)) {
                if (st.isDirectory() && !st.getPath().getName().startsWith(".") && !st.getPath().getName().startsWith("_")) {
                    names.add(st.getPath().getName());
                }
            }
            if (names.isEmpty()) {
                throw new IllegalArgumentException(key + " : " + url + " has no subdirectories (expected: one per class,"
                        + " holding that class's images, for data.labelFromDirectory)");
            }
            Collections.sort(names);
            return names;
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(key + " : " + url + " (expected: an existing directory)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(key + " : cannot list " + url + ": " + e.getMessage(), e);
        }
    }

    private static void checkClassCount(List<String> classes, ModelSpec model, String url) {
        if (model.lossFunction().classification() && classes.size() != model.classes()) {
            throw new IllegalArgumentException("data.train : " + url + " has " + classes.size() + " class directories "
                    + classes + " (expected: " + model.classes() + ", the model's outputs)");
        }
    }
}
