package dev.lamina.jobs;

import dev.lamina.driver.DistributedEvaluator;
import dev.lamina.driver.ModelFiles;
import dev.lamina.engine.io.Json;
import dev.lamina.worker.EvalStats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * {@code evaluate --model DIR --config FILE [--set key=value]... [--master URL]}: test metrics of a saved model;
 * for a diffusion model also fresh samples (evaluation-samples.png in DIR) and their sample_class_agreement.
 */
public final class EvaluateJob {

    private EvaluateJob() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            Jobs.fail("evaluate", t);
        }
    }

    /** A readable per-class table and the headline metrics. */
    static String table(EvalStats s) {
        StringBuilder sb = new StringBuilder();
        if (!s.classification()) {
            return String.format("test samples %d  loss %.6f%n", s.count(), s.meanLoss());
        }
        if (s.tokens()) {
            return String.format("test tokens %d  loss %.4f nats/token  perplexity %.3f  bits per character %.4f"
                    + "  next-character accuracy %.4f%n", s.count(), s.meanLoss(), s.perplexity(), s.bitsPerChar(),
                    s.accuracy());
        }
        sb.append(String.format("test samples %d  accuracy %.4f  log-loss %.4f  macro F1 %.4f%s%n", s.count(), s.accuracy(),
                s.meanLoss(), s.macroF1(), Double.isFinite(s.rocAuc()) ? String.format("  ROC AUC %.4f", s.rocAuc()) : ""));
        sb.append(String.format("%6s %10s %10s %10s%n", "class", "precision", "recall", "f1"));
        for (int k = 0; k < s.classes(); k++) {
            sb.append(String.format("%6d %10.4f %10.4f %10.4f%n", k, s.precision(k), s.recall(k), s.f1(k)));
        }
        sb.append("confusion matrix (rows: true class, columns: predicted)\n");
        for (java.util.List<Long> row : s.confusionRows()) {
            for (Long v : row) {
                sb.append(String.format("%6d", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Runs the job and returns the metrics (for tests and embedding); errors propagate. */
    public static Map<String, Object> run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, Set.of("model", "config", "master"));
        String dir = parsed.required("model");
        JobConfig config = parsed.config();
        SparkSession spark = Environment.spark("lamina evaluate", parsed.options().get("master"));
        try {
            DataLoader.Split test = new DataLoader(config.data(), config.model()).split(spark, false);
            ModelFiles.Saved saved = ModelFiles.read(dir, spark.sparkContext().hadoopConfiguration());
            EvalStats stats = DistributedEvaluator.evaluate(spark, test.frame(), DataLoader.FEATURES,
                    DataLoader.LABEL, saved.spec(), saved.parameters());
            Map<String, Object> metrics = new LinkedHashMap<>(stats.toMap("test_"));
            if (stats.classification() && !stats.tokens()) {
                metrics.put("confusion_matrix", stats.confusionRows());
            } else {
                TrainJob.lossMetric(saved.spec(), stats).ifPresent(k -> metrics.put("test_" + k, stats.meanLoss()));
            }
            if (saved.spec().isDiffusion()) {
                // A diffusion model is judged by its samples too: drawn and scored as the job file's samples say.
                if (!config.model().isDiffusion()) {
                    throw new IllegalArgumentException("--config " + parsed.required("config") + " has no model.diffusion"
                            + " (expected: the diffusion model's job file, whose samples section says how to sample)");
                }
                metrics.putAll(DiffusionSamplesRun.prepare(spark, config).run(saved.spec(), saved.parameters(), dir,
                        DiffusionSamplesRun.EVALUATION_SAMPLES_PNG));
            }
            ModelFiles.writeJson(dir + "/evaluation.json", metrics, spark.sparkContext().hadoopConfiguration());
            System.out.println(table(stats));
            System.out.println("lamina evaluate: wrote " + dir + "/evaluation.json");
            System.out.println(Json.write(metrics));
            return metrics;
        } finally {
            spark.stop();
        }
    }
}
