package dev.lamina.jobs;

import dev.lamina.driver.DistributedEvaluator;
import dev.lamina.driver.HtmlReport;
import dev.lamina.driver.MllibBaselines;
import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.Predictions;
import dev.lamina.engine.io.Json;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.EvalStats;
import dev.lamina.worker.Targets;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code baseline --config FILE [--set key=value]... [--output DIR] [--model DIR] [--trees N] [--depth N]
 * [--iterations N] [--master URL]}: the job file's deep model (trained into DIR/deep, or the trained
 * model in --model) beside Spark MLlib baselines fitted on the same training rows (the same validation
 * split) and scored on the same test rows; prints the side-by-side table and writes DIR/baseline.html
 * and DIR/baseline.json.
 */
public final class BaselineJob {
    static final String HTML = "baseline.html";
    static final String JSON = "baseline.json";

    private BaselineJob() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            Jobs.fail("baseline", t);
        }
    }

    /** Runs the job and returns the rows of the table (the deep model first); errors propagate. */
    public static List<MllibBaselines.Result> run(String[] args) throws Exception {
        JobArgs parsed = JobArgs.parse(args, Set.of("config", "output", "model", "trees", "depth", "iterations", "master"));
        JobConfig config = parsed.config();
        ModelSpec spec = config.model();
        Targets targets = Targets.of(spec);
        if (targets == Targets.INPUT || targets == Targets.NEXT_TOKENS || targets == Targets.NOISE) {
            throw new IllegalArgumentException("baseline : the model " + switch (targets) {
                case INPUT -> "reconstructs its input";
                case NOISE -> "is a diffusion model";
                default -> "is a language model";
            } + " (expected: a classifier or"
                    + " a model of one value per row, which MLlib baselines can predict too)");
        }
        MllibBaselines.Options options = new MllibBaselines.Options(JobArgs.integer(parsed.options(), "trees", 50),
                JobArgs.integer(parsed.options(), "depth", 10), JobArgs.integer(parsed.options(), "iterations", 100),
                config.training().seed());
        int classes = targets == Targets.CLASSES ? spec.classes() : 0;
        String dir = config.output().dir();
        SparkSession spark = Environment.spark("lamina baseline", parsed.options().get("master"));
        try {
            DataLoader data = new DataLoader(config.data(), config.model());
            DataLoader.Split train = data.split(spark, true);
            DataLoader.Split test = data.split(spark, false);
            List<MllibBaselines.Result> rows = new ArrayList<>();
            rows.add(deep(spark, config, train, test, parsed.options().get("model"), dir));
            Dataset<Row> fitRows = train.frame();
            double fraction = config.data().validationFraction();
            if (fraction > 0) {
                fitRows = fitRows.randomSplit(new double[] {1 - fraction, fraction}, config.training().seed())[0];
            }
            rows.addAll(MllibBaselines.run(fitRows, test.frame(), DataLoader.FEATURES, DataLoader.LABEL, spec.inputSize(),
                    classes, options));
            String intro = String.format(Locale.ROOT, "%s: %d training rows%s, %d test rows; the same rows for every model."
                            + " Train s: the deep model's training (with its per-epoch evaluation), each baseline's fit.",
                    config.data().dataset().equals("files") ? config.data().files().train() : config.data().dataset(),
                    train.count(), fraction > 0 ? " (less the validation share " + fraction + ")" : "", test.count());
            List<String> header = header(classes > 0);
            List<List<String>> cells = cells(rows, classes > 0);
            System.out.println("lamina baseline: " + intro);
            System.out.print(text(header, cells));
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            ModelFiles.writeText(dir + "/" + HTML, HtmlReport.table("Lamina baseline: " + dir, intro, header, cells), hadoop);
            ModelFiles.writeText(dir + "/" + JSON, Json.writePretty(json(rows)), hadoop);
            System.out.println("lamina baseline: wrote " + dir + "/" + HTML + " and " + JSON);
            return rows;
        } finally {
            spark.stop();
        }
    }

    /** The deep model's row: trained now into DIR/deep, or read from {@code modelDir} and evaluated. */
    private static MllibBaselines.Result deep(SparkSession spark, JobConfig config, DataLoader.Split train,
                                              DataLoader.Split test, String modelDir, String dir) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ModelSpec spec;
        float[] params;
        EvalStats stats;
        double seconds;
        if (modelDir == null) {
            TrainJob.Result r = TrainJob.fitAndWrite(spark, config, train, test, new TrainJob.Start(false, Optional.empty()),
                    dir + "/deep", e -> { });
            spec = r.model().spec();
            params = r.model().parameters();
            stats = r.evaluation();
            seconds = ((Number) r.model().metrics().get("train_seconds")).doubleValue();
        } else {
            ModelFiles.Saved saved = ModelFiles.read(modelDir, hadoop);
            spec = saved.spec();
            params = saved.parameters();
            stats = DistributedEvaluator.evaluate(spark, test.frame(), DataLoader.FEATURES, DataLoader.LABEL, spec, params);
            seconds = saved.metrics().get("train_seconds") instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        Map<String, Double> metrics = stats.classification() ? MllibBaselines.metrics(stats)
                : MllibBaselines.regression(Predictions.score(test.frame(), DataLoader.FEATURES, spec, params),
                        DataLoader.LABEL);
        return new MllibBaselines.Result("lamina " + describe(spec), metrics, seconds, "");
    }

    /** "784-256-128-10, 5 layers": the input and the linear layers' widths, and the layer count. */
    @SuppressWarnings("unchecked")
    static String describe(ModelSpec spec) {
        List<Map<String, Object>> layers = (List<Map<String, Object>>) spec.toMap().get("layers");
        List<String> widths = new ArrayList<>(List.of(String.valueOf(spec.inputSize())));
        for (Map<String, Object> layer : layers) {
            if ("linear".equals(layer.get("type"))) {
                widths.add(String.valueOf(layer.get("units")));
            }
        }
        return String.join("-", widths) + ", " + layers.size() + " layers";
    }

    private static List<String> header(boolean classes) {
        return classes ? List.of("model", "accuracy", "macro F1", "log-loss", "ROC AUC", "train s", "note")
                : List.of("model", "MSE", "MAE", "train s", "note");
    }

    private static List<List<String>> cells(List<MllibBaselines.Result> rows, boolean classes) {
        List<List<String>> out = new ArrayList<>();
        for (MllibBaselines.Result r : rows) {
            List<String> c = new ArrayList<>(List.of(r.model()));
            for (String k : classes ? List.of("accuracy", "macro_f1", "log_loss", "roc_auc") : List.of("mse", "mae")) {
                Double v = r.metrics().get(k);
                c.add(v == null ? "-" : String.format(Locale.ROOT, "%.4f", v));
            }
            c.add(r.metrics().isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", r.seconds()));
            c.add(r.note());
            out.add(c);
        }
        return out;
    }

    /** The table as fixed-width text. */
    static String text(List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : all) {
            for (int i = 0; i < w.length; i++) {
                String cell = r.get(i);
                sb.append(i == 0 || i == w.length - 1 ? String.format("%-" + w[i] + "s", cell)
                        : String.format("%" + w[i] + "s", cell)).append(i < w.length - 1 ? "  " : "");
            }
            sb.append('\n');
        }
        return sb.toString().replaceAll(" +\n", "\n");
    }

    private static List<Map<String, Object>> json(List<MllibBaselines.Result> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (MllibBaselines.Result r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", r.model());
            m.putAll(r.metrics());
            m.put("train_seconds", r.metrics().isEmpty() ? null : r.seconds());
            m.put("note", r.note());
            out.add(m);
        }
        return out;
    }
}
