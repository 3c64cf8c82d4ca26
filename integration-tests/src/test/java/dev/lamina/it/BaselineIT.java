package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.MllibBaselines;
import dev.lamina.jobs.BaselineJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The baseline command on Spark local[2], kept small: the committed Pima table (classes: logistic
 * regression, random forest and, two classes, boosted trees), the Boston table (values: linear
 * regression), and an MNIST subset (ten classes: boosted trees not run, and the table says why).
 */
class BaselineIT {
    private static final Path TABLES = Path.of("..", "data", "tabular");

    @TempDir
    Path dir;

    private List<MllibBaselines.Result> baseline(String conf, String out, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--config", Path.of("..", "conf", conf).toString(),
                "--output", dir.resolve(out).toString(), "--master", "local[2]", "--trees", "5", "--depth", "3",
                "--iterations", "5"));
        args.addAll(List.of(extra));
        return BaselineJob.run(args.toArray(new String[0]));
    }

    private static double metric(MllibBaselines.Result r, String key) {
        return r.metrics().get(key);
    }

    @Test
    void pimaGetsEveryClassifierAndTheTablesAreWritten() throws Exception {
        List<MllibBaselines.Result> rows = baseline("pima-mlp.yaml", "pima", "--set", "training.epochs=3",
                "--set", "data.train=" + TABLES.resolve("pima-train.csv"), "--set", "data.test=" + TABLES.resolve("pima-test.csv"));
        assertEquals(List.of("lamina 8-32-2, 4 layers", "logistic regression", "random forest", "gradient-boosted trees"),
                rows.stream().map(MllibBaselines.Result::model).toList());
        for (MllibBaselines.Result r : rows) {
            assertTrue(metric(r, "accuracy") > 0.6 && metric(r, "accuracy") <= 1, r.toString());
            assertTrue(metric(r, "log_loss") > 0 && r.seconds() > 0, r.toString());
            // Two classes: every model, deep or MLlib, reports a ROC AUC, well above chance on Pima.
            assertTrue(metric(r, "roc_auc") > 0.7 && metric(r, "roc_auc") <= 1, r.toString());
        }
        String html = Files.readString(dir.resolve("pima").resolve("baseline.html"));
        assertTrue(html.contains("<td>logistic regression</td>") && html.contains("macro F1"), html);
        assertTrue(Files.exists(dir.resolve("pima").resolve("deep").resolve("model.json")));
    }

    @Test
    void bostonIsRegression() throws Exception {
        List<MllibBaselines.Result> rows = baseline("boston-mlp.yaml", "boston", "--set", "training.epochs=2",
                "--set", "data.train=" + TABLES.resolve("boston-train.csv"), "--set", "data.test=" + TABLES.resolve("boston-test.csv"));
        assertEquals(List.of("linear regression", "random forest", "gradient-boosted trees"),
                rows.subList(1, 4).stream().map(MllibBaselines.Result::model).toList());
        MllibBaselines.Result linear = rows.get(1);
        // The variance of medv is about 85: a linear fit explains most of it.
        assertTrue(metric(linear, "mse") > 5 && metric(linear, "mse") < 60, linear.toString());
        assertTrue(metric(linear, "mae") < metric(linear, "mse"), linear.toString());
    }

    @Test
    void tenClassesSayWhyBoostedTreesDoNotRun() throws Exception {
        List<MllibBaselines.Result> rows = baseline("mnist-mlp.yaml", "mnist", "--set", "data.trainLimit=500",
                "--set", "data.testLimit=200", "--set", "training.epochs=1", "--set", "training.batchSize=64");
        MllibBaselines.Result gbt = rows.get(3);
        assertEquals(List.of(), List.copyOf(gbt.metrics().keySet()));
        assertTrue(gbt.note().contains("binary-only (10 classes)"), gbt.note());
        assertTrue(metric(rows.get(1), "accuracy") > 0.5, rows.get(1).toString());
    }
}
