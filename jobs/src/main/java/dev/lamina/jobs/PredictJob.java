package dev.lamina.jobs;

import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.Predictions;
import dev.lamina.driver.registry.ModelRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code predict (--model DIR | --registry URL [--version N]) --config FILE --output PATH
 * [--input PATH [--input-format parquet|csv]] [--format parquet|json|csv] [--set key=value]... [--master URL]}:
 * scores rows with a trained model on the executors and writes one row per input row (its columns but
 * the features, plus the prediction and probabilities, or the reconstruction error of an autoencoder).
 * The model is a model directory, or a registry's champion (or version N). The rows are the job
 * file's test data, or any Parquet/CSV data in {@code --input} (features found as data.featuresCol /
 * data.featureColumns say; spread over the executors' cores). The written rows are counted back and
 * must equal the rows read. CSV cannot hold the probability arrays: they are left out.
 */
public final class PredictJob {
    static final List<String> FORMATS = List.of("parquet", "json", "csv");
    static final List<String> INPUT_FORMATS = List.of("parquet", "csv");

    private PredictJob() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            Jobs.fail("predict", t);
        }
    }

    /** Runs the job and returns the number of rows written; errors propagate. */
    public static long run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, Set.of("model", "registry", "version", "config", "output", "format", "input",
                "input-format", "master"));
        if (parsed.options().containsKey("model") == parsed.options().containsKey("registry")) {
            throw new IllegalArgumentException("--model and --registry : " + (parsed.options().containsKey("model")
                    ? "both given" : "neither given") + " (expected: exactly one: a model directory or a registry)");
        }
        String output = parsed.required("output");
        String format = choice("format", parsed.options().getOrDefault("format", "parquet"), FORMATS);
        String input = parsed.options().get("input");
        String inputFormat = input == null ? null : choice("input-format", parsed.options().getOrDefault(
                "input-format", input.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "parquet"), INPUT_FORMATS);
        JobConfig config = parsed.config();
        SparkSession spark = Environment.spark("lamina predict", parsed.options().get("master"));
        try {
            String dir = modelDir(parsed, spark);
            ModelFiles.Saved saved = ModelFiles.read(dir, spark.sparkContext().hadoopConfiguration());
            DataLoader data = new DataLoader(config.data(), config.model());
            Dataset<Row> rows;
            if (input == null) {
                rows = data.split(spark, false).frame();
            } else {
                rows = data.scoringFrame(spark, input, inputFormat);
                int slots = spark.sparkContext().defaultParallelism();
                if (rows.rdd().getNumPartitions() < slots) {
                    rows = rows.repartition(slots);
                }
            }
            long in = rows.count();
            Dataset<Row> scored = Predictions.score(rows, DataLoader.FEATURES, saved.spec(), saved.parameters());
            if (format.equals("csv") && List.of(scored.columns()).contains("probability")) {
                scored = scored.drop("probability");
            }
            scored.write().mode("errorifexists").option("header", "true").format(format).save(output);
            long out = spark.read().format(format).option("header", "true").load(output).count();
            if (out != in) {
                throw new IllegalStateException("row count check failed: " + in + " rows in, " + out + " rows in "
                        + output + " (expected: one output row per input row)");
            }
            System.out.println("lamina predict: wrote " + out + " rows (" + String.join(", ", scored.columns()) + ") to "
                    + output + " as " + format + " with " + dir + "; rows in = rows out = " + in);
            return out;
        } finally {
            spark.stop();
        }
    }

    private static String choice(String option, String value, List<String> allowed) {
        String v = value.toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new IllegalArgumentException("--" + option + " " + value + " (expected one of: " + String.join(", ", allowed)
                    + ")");
        }
        return v;
    }

    /** --model, or the registry's version --version, else its champion. */
    private static String modelDir(JobArgs parsed, SparkSession spark) throws IOException {
        if (parsed.options().containsKey("model")) {
            return parsed.options().get("model");
        }
        ModelRegistry registry = ModelRegistry.open(parsed.options().get("registry"),
                spark.sparkContext().hadoopConfiguration());
        int version;
        if (parsed.options().containsKey("version")) {
            version = registry.version(JobArgs.integer(parsed.options(), "version", 0)).version();
        } else {
            version = registry.champion().orElseThrow(() -> new IllegalArgumentException("--registry "
                    + registry.url() + " : no champion yet (expected: a registry with a champion, or --version N)"));
        }
        System.out.println("lamina predict: registry " + registry.url() + " version v" + version);
        return registry.dir(version);
    }
}
