package dev.lamina.jobs;

import dev.lamina.driver.DistributedEvaluator;
import dev.lamina.driver.EpochReport;
import dev.lamina.driver.HtmlReport;
import dev.lamina.driver.LaminaTrainer;
import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.Reconstructions;
import dev.lamina.driver.TrainedModel;
import dev.lamina.engine.io.Json;
import dev.lamina.worker.EvalStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** {@code train --config FILE [--set key=value]... [--output DIR] [--master URL] [--resume]}. */
public final class TrainJob {

    private TrainJob() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            Jobs.fail("train", t);
        }
    }

    /**
     * metrics.json's test_* come from the test split with the final parameters; with a validation
     * split the per-epoch figures were validation figures, kept as val_*.
     */
    static TrainedModel withTestMetrics(TrainedModel model, EvalStats test, boolean validated) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : model.metrics().entrySet()) {
            String key = validated && e.getKey().startsWith("test_") ? "val_" + e.getKey().substring(5) : e.getKey();
            metrics.put(key, e.getValue());
        }
        metrics.put("test_loss", test.meanLoss());
        if (test.tokens()) {
            metrics.put("test_accuracy", test.accuracy());
            metrics.put("test_perplexity", test.perplexity());
            metrics.put("test_bits_per_char", test.bitsPerChar());
            metrics.put("test_tokens", test.count());
        } else if (test.classification()) {
            metrics.put("test_accuracy", test.accuracy());
            metrics.put("test_macro_f1", test.macroF1());
            if (Double.isFinite(test.rocAuc())) {
                metrics.put("test_roc_auc", test.rocAuc());
            }
        } else {
            metrics.remove("test_accuracy");
            lossMetric(model.spec(), test).ifPresent(k -> metrics.put("test_" + k, test.meanLoss()));
        }
        return new TrainedModel(model.spec(), model.parameters(), model.history(), metrics, model.provenance());
    }

    private static void writeProgress(String path, String lines, Configuration hadoop) {
        try {
            ModelFiles.writeText(path, lines, hadoop);
        } catch (java.io.IOException e) {
            System.err.println("lamina train: cannot write " + path + " (training goes on): " + e.getMessage());
        }
    }

    /** The PNG of test images and their reconstructions an image autoencoder's job writes. */
    static final String RECONSTRUCTIONS = "reconstructions.png";

    /** The name the mean loss goes by without classes: mse for an mse loss, mae for l1; else none. */
    static java.util.Optional<String> lossMetric(dev.lamina.engine.nn.ModelSpec spec, EvalStats stats) {
        if (stats.classification()) {
            return java.util.Optional.empty();
        }
        return switch (spec.loss()) {
            case "mse" -> java.util.Optional.of("mse");
            case "l1" -> java.util.Optional.of("mae");
            default -> java.util.Optional.empty();
        };
    }

    /** Runs the job and returns the model (for tests and embedding); errors propagate. */
    public static TrainedModel run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, Set.of("config", "output", "master"), Set.of("resume"));
        JobConfig config = parsed.config();
        DataLoader data = new DataLoader(config.data(), config.model());
        SparkSession spark = Environment.spark("lamina train", parsed.options().get("master"));
        try {
            DataLoader.Split train = data.split(spark, true);
            DataLoader.Split test = data.split(spark, false);
            System.out.printf("lamina train: %s, %d train / %d test samples, %d workers, %d epochs, global batch %d, %s%n",
                    config.data().dataset(), train.count(), test.count(), config.training().workers(),
                    config.training().epochs(), config.training().batchSize(), config.training().optimizer().type());
            Result result = fitAndWrite(spark, config, train, test, new Start(parsed.flag("resume"), java.util.Optional.empty()),
                    config.output().dir(), r -> { });
            System.out.println(Json.write(result.model().metrics()));
            return result.model();
        } finally {
            spark.stop();
        }
    }

    /**
     * Where training starts: from a checkpoint ({@code resume}), from given parameters (a warm start),
     * or (neither) from the seeded initialization.
     */
    record Start(boolean resume, java.util.Optional<float[]> initial) {
    }

    /** A trained model with its test metrics, and its evaluation on the test split. */
    record Result(TrainedModel model, EvalStats evaluation) {
    }

    /**
     * Trains as the train job does on {@code train}, evaluates on {@code test} and writes the model
     * directory {@code dir} (model files, history.jsonl, report.html, reconstructions for an image
     * autoencoder); {@code onEpoch} hears of every epoch too.
     */
    static Result fitAndWrite(SparkSession spark, JobConfig config, DataLoader.Split train, DataLoader.Split test,
                              Start start, String dir, Consumer<EpochReport> onEpoch) throws IOException {
        // A diffusion model's classifier is loaded (or trained) before training, so that a bad path fails early.
        java.util.Optional<DiffusionSamplesRun> samples = config.model().isDiffusion()
                ? java.util.Optional.of(DiffusionSamplesRun.prepare(spark, config)) : java.util.Optional.empty();
        Map<String, Object> provenance = Environment.provenance();
        provenance.put("config", config.source());
        Map<String, Object> fingerprint = new LinkedHashMap<>();
        fingerprint.put("train", train.fingerprint());
        fingerprint.put("test", test.fingerprint());
        provenance.put("dataFingerprint", fingerprint);
        DataConfig.Files files = config.data().files();
        if (files != null && files.labelFromDirectory()) {
            provenance.put("classNames", ImageFiles.classNames(files.train(), "data.train",
                    spark.sparkContext().hadoopConfiguration()));
        }
        Dataset<Row> testFrame = test.frame();
        Dataset<Row> trainFrame = train.frame();
        Dataset<Row> evalFrame = testFrame;
        double fraction = config.data().validationFraction();
        if (fraction > 0) {
            Dataset<Row>[] split = trainFrame.randomSplit(new double[] {1 - fraction, fraction},
                    config.training().seed());
            trainFrame = split[0];
            evalFrame = split[1];
        }
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        // history.jsonl grows by a line per epoch while training runs (rewritten whole: not every
        // Hadoop file system appends); the final one, written with the model, covers every epoch.
        StringBuilder progressLines = new StringBuilder();
        TrainedModel trained = new LaminaTrainer(spark, config.model(), config.training())
                .withColumns(DataLoader.FEATURES, DataLoader.LABEL)
                .withEarlyStopping(config.earlyStopping())
                .withResume(start.resume())
                .withInitialParameters(start.initial().orElse(null))
                .withProgress(r -> {
                    System.out.println(r.line());
                    progressLines.append(Json.write(r.toMap())).append('\n');
                    writeProgress(dir + "/" + ModelFiles.HISTORY, progressLines.toString(), hadoop);
                    onEpoch.accept(r);
                })
                .fit(trainFrame, evalFrame, provenance);
        EvalStats evaluation = DistributedEvaluator.evaluate(spark, testFrame, DataLoader.FEATURES, DataLoader.LABEL,
                trained.spec(), trained.parameters());
        TrainedModel model = withTestMetrics(trained, evaluation, fraction > 0);
        write(model, evaluation, dir, testFrame, hadoop);
        if (samples.isPresent()) {
            // Sampled after the model is written, so that a failure here loses no training.
            model = samples.get().run(model, dir);
            ModelFiles.write(model, dir, hadoop);
        }
        return new Result(model, evaluation);
    }

    private static void write(TrainedModel model, EvalStats evaluation, String dir, Dataset<Row> testFrame,
                              Configuration hadoop) throws IOException {
        ModelFiles.write(model, dir, hadoop);
        ModelFiles.writeText(dir + "/" + ModelFiles.HISTORY, ModelFiles.historyLines(model), hadoop);
        ModelFiles.writeText(dir + "/" + ModelFiles.REPORT,
                HtmlReport.render("Lamina: " + dir, model, evaluation), hadoop);
        List<String> written = new ArrayList<>(List.of(ModelFiles.MODEL_JSON, ModelFiles.WEIGHTS, ModelFiles.METRICS,
                ModelFiles.HISTORY, ModelFiles.REPORT));
        if (Reconstructions.drawable(model.spec())) {
            // The first 16 test images over their reconstructions.
            List<Row> sample = testFrame.limit(16).collectAsList();
            ModelFiles.writeBytes(dir + "/" + RECONSTRUCTIONS, Reconstructions.png(model.spec(), model.parameters(),
                    sample, 0), hadoop);
            written.add(RECONSTRUCTIONS);
        }
        System.out.println("lamina train: wrote " + dir + " (" + String.join(", ", written) + ")");
    }
}
