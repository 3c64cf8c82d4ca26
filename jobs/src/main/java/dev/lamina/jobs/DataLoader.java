package dev.lamina.jobs;

import dev.lamina.driver.data.BrownCorpus;
import dev.lamina.driver.data.FashionMnist;
import dev.lamina.driver.data.LabeledImages;
import dev.lamina.driver.data.Mnist;
import dev.lamina.driver.data.TextWindows;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.Targets;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Loads the configured dataset as DataFrames with a {@code features} column (binary for the bundled
 * image datasets; vector, array or binary for files) and a numeric {@code label} column.
 */
final class DataLoader {
    private static final System.Logger LOG = System.getLogger(DataLoader.class.getName());
    static final String FEATURES = "features";
    static final String LABEL = "label";

    private final DataConfig config;
    private final ModelSpec model;

    /** {@code model}: the model the data is for (image files are read at its input size). */
    DataLoader(DataConfig config, ModelSpec model) {
        this.config = config;
        this.model = model;
    }

    /**
     * One split, ready for training or evaluation.
     *
     * @param frame       columns {@link #FEATURES} and {@link #LABEL}
     * @param count       its rows
     * @param fingerprint what identifies the data (a checksum, or files with sizes and times)
     */
    record Split(Dataset<Row> frame, long count, String fingerprint) {
    }

    /** The training ({@code train}) or test split; built-in datasets are fetched on first use. */
    Split split(SparkSession spark, boolean train) throws IOException {
        boolean languageModel = Targets.of(model) == Targets.NEXT_TOKENS;
        if (config.text() != languageModel) {
            throw new IllegalArgumentException(config.text()
                    ? "data.dataset " + config.dataset() + (config.files() != null ? " with data.format text" : "")
                            + " is text for a language model, but model.loss is " + model.loss()
                            + " (expected: sequence-cross-entropy)"
                    : "model.loss " + model.loss() + " trains a language model (expected: data.dataset brown, or files"
                            + " with data.format text; data.dataset is " + config.dataset() + ")");
        }
        if (languageModel) {
            return text(spark, train);
        }
        if (config.files() == null) {
            LabeledImages images = images(train);
            return new Split(frame(spark, images), images.count(), images.fingerprint());
        }
        DataConfig.Files f = config.files();
        String key = train ? "data.train" : "data.test";
        String path = train ? f.train() : f.test();
        String fingerprint = fingerprint(key, path, spark.sparkContext().hadoopConfiguration());
        Dataset<Row> frame;
        if (DataConfig.Files.images(f.format())) {
            frame = ImageFiles.frame(spark, f, train, model);
        } else {
            Dataset<Row> raw = spark.read().format(f.format()).options(f.options()).load(path);
            frame = raw.select(featureColumn(f, raw, path).as(FEATURES), column(raw, f.labelCol(),
                    "data.labelCol", path).as(LABEL));
        }
        int limit = train ? config.trainLimit() : config.testLimit();
        if (limit > 0) {
            frame = frame.limit(limit);
        }
        return new Split(frame, frame.count(), f.format() + " " + fingerprint);
    }

    /**
     * A text split packed into windows of the model's sequence length + 1 on the executors: the
     * Brown corpus (fetched, untagged and written as text files in the cache once) or the user's
     * text files (Spark's text source, one row per line).
     */
    private Split text(SparkSession spark, boolean train) throws IOException {
        String path;
        String fingerprint;
        if (config.files() == null) {
            BrownCorpus.TextFiles brown = BrownCorpus.textFiles(Path.of(config.cache()));
            path = (train ? brown.train() : brown.test()).toUri().toString();
            fingerprint = brown.fingerprint() + " " + (train ? "train" : "test");
        } else {
            DataConfig.Files f = config.files();
            path = train ? f.train() : f.test();
            fingerprint = "text " + fingerprint(train ? "data.train" : "data.test", path,
                    spark.sparkContext().hadoopConfiguration());
        }
        Dataset<Row> lines = spark.read().options(config.files() == null ? java.util.Map.of() : config.files().options())
                .text(path);
        Dataset<Row> frame = TextWindows.pack(spark, lines, "value", model.inputSize(), model.classes());
        int limit = train ? config.trainLimit() : config.testLimit();
        if (limit > 0) {
            frame = frame.limit(limit);
        }
        return new Split(frame, frame.count(), fingerprint);
    }

    /**
     * The columns assembled into the features: the listed ones, or for CSV without a features column all
     * but the label; empty when the features are one column.
     */
    private static List<String> assembled(DataConfig.Files f, Dataset<Row> raw, String path) {
        List<String> names = f.featureColumns();
        if (names.isEmpty() && f.format().equalsIgnoreCase("csv") && !has(raw, f.featuresCol())) {
            names = new ArrayList<>();
            for (String c : raw.columns()) {
                if (!c.equals(f.labelCol())) {
                    names.add(c);
                }
            }
            LOG.log(System.Logger.Level.INFO, "{0}: no column {1}; the features are the {2} columns other than {3}",
                    path, f.featuresCol(), names.size(), f.labelCol());
        }
        return names;
    }

    /**
     * The features' names, for data profiles and drift reports: the assembled columns' names, pixel
     * positions {@code px(row,col)} for the built-in 28 x 28 images, else empty (numbered).
     */
    List<String> featureNames(SparkSession spark) {
        DataConfig.Files f = config.files();
        if (f == null) {
            List<String> names = new ArrayList<>(28 * 28);
            for (int i = 0; i < 28 * 28; i++) {
                names.add("px(" + i / 28 + "," + i % 28 + ")");
            }
            return names;
        }
        return assembled(f, spark.read().format(f.format()).options(f.options()).load(f.train()), f.train());
    }

    /**
     * Any data file's rows to score ({@code format}: parquet or csv; for CSV a header line is assumed
     * unless the job file's data.options say otherwise): its columns but the features' source columns,
     * with the features in {@link #FEATURES}, found as for training (data.featuresCol or
     * data.featureColumns; "features", or for CSV every column but "label", with a built-in dataset).
     */
    Dataset<Row> scoringFrame(SparkSession spark, String path, String format) {
        DataConfig.Files c = config.files();
        java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
        if (format.equals("csv")) {
            options.put("header", "true");
            options.put("inferSchema", "true");
        }
        if (c != null) {
            options.putAll(c.options());
        }
        DataConfig.Files f = new DataConfig.Files(format, path, path, c == null ? FEATURES : c.featuresCol(),
                c == null ? LABEL : c.labelCol(), c == null ? List.of() : c.featureColumns(), options);
        Dataset<Row> raw = spark.read().format(format).options(options).load(path);
        List<String> sources = new ArrayList<>(assembled(f, raw, path));
        if (sources.isEmpty()) {
            sources.add(f.featuresCol());
        }
        List<Column> keep = new ArrayList<>();
        for (String name : raw.columns()) {
            if (!sources.contains(name)) {
                keep.add(raw.col(name));
            }
        }
        keep.add(featureColumn(f, raw, path).as(FEATURES));
        return raw.select(keep.toArray(new Column[0]));
    }

    /** The features: the named column, or the listed (or, for CSV, all non-label) columns as an array. */
    private static Column featureColumn(DataConfig.Files f, Dataset<Row> raw, String path) {
        List<String> names = assembled(f, raw, path);
        if (names.isEmpty()) {
            return column(raw, f.featuresCol(), "data.featuresCol", path);
        }
        Column[] parts = new Column[names.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = column(raw, names.get(i), "data.featureColumns", path).cast(DataTypes.DoubleType);
        }
        return functions.array(parts);
    }

    private static boolean has(Dataset<Row> raw, String name) {
        return Arrays.asList(raw.columns()).contains(name.contains(".") ? name.substring(0, name.indexOf('.')) : name);
    }

    /** A column of {@code raw} (a nested field as a.b), or an error naming the key and the columns there are. */
    static Column column(Dataset<Row> raw, String name, String key, String path) {
        if (!has(raw, name)) {
            throw new IllegalArgumentException(key + " : " + name + " is not a column of " + path + " (columns: "
                    + String.join(", ", raw.columns()) + ")");
        }
        return raw.col(name);
    }

    /** The path's files, their total size and newest modification time: changes when the data does. */
    private static String fingerprint(String key, String url, Configuration hadoop) throws IOException {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(url);
        FileSystem fs = path.getFileSystem(hadoop);
        if (!fs.exists(path)) {
            throw new IllegalArgumentException(key + " : " + url + " (expected: an existing file or directory)");
        }
        long files = 0;
        long bytes = 0;
        long newest = 0;
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(path, true);
        while (it.hasNext()) {
            LocatedFileStatus st = it.next();
            files++;
            bytes += st.getLen();
            newest = Math.max(newest, st.getModificationTime());
        }
        return url + " (" + files + " files, " + bytes + " bytes, newest " + Instant.ofEpochMilli(newest) + ")";
    }

    /** Reads (fetching on first use) the split; for provenance, the images' fingerprint is kept. */
    LabeledImages images(boolean train) throws IOException {
        int limit = train ? config.trainLimit() : config.testLimit();
        Path cache = Path.of(config.cache());
        if (config.dataset().equals("fashion-mnist")) {
            return FashionMnist.load(cache, train, limit);
        }
        return limit == 0 ? Mnist.load(cache, train) : Mnist.load(cache, train, limit);
    }

    static Dataset<Row> frame(SparkSession spark, LabeledImages images) {
        StructType schema = new StructType()
                .add(FEATURES, DataTypes.BinaryType, false)
                .add(LABEL, DataTypes.IntegerType, false);
        int width = images.features();
        List<Row> rows = new ArrayList<>(images.count());
        for (int i = 0; i < images.count(); i++) {
            byte[] pixels = new byte[width];
            System.arraycopy(images.pixels(), i * width, pixels, 0, width);
            rows.add(RowFactory.create(pixels, images.labels()[i]));
        }
        // Slices of under 1 MB each: the rows travel inside the tasks, and Spark warns above that.
        int slices = (int) Math.max(1, (long) images.count() * (width + 64) / (768 * 1024) + 1);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(jsc.parallelize(rows, slices), schema);
    }
}
