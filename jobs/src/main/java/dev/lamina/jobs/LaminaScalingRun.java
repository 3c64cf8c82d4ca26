package dev.lamina.jobs;

import dev.lamina.driver.EpochReport;
import dev.lamina.driver.LaminaTrainer;
import dev.lamina.driver.TrainedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * One Lamina run of {@code bench --suite scaling}, in its own JVM: the job file with the run's workers
 * and mode, trained on local Spark through {@link LaminaTrainer} exactly as {@code lamina train} does
 * (an evaluation on the test split after every epoch), timed from the trainer's epoch reports.
 *
 * <p>Set-up is everything from this method's start to the first epoch's start (Spark session, data
 * loading, featurizing and caching the blocks, starting the parameter server). Time to an accuracy is
 * the report's {@code elapsedSeconds} (from the start of the first epoch to the end of the evaluation
 * that first reached it; {@code *_train_seconds}: the training stages alone, as MLlib's fits are). The
 * per-epoch figures are means over the steady epochs: all but the first third of the epochs (at least
 * the first; {@link #warmUpEpochs}), with the per-worker times divided by the workers: compute,
 * communication without waiting, waiting for the slowest worker, and the fixed overhead (stage launch
 * and collection, plus evaluation). The first epoch is reported apart.
 *
 * <p>Why a third: the JIT goes on compiling well after the first epoch (LeNet on this 2-core machine:
 * C2 took 0.85 core-seconds during the second epoch and 0.6 during the next two, 2026-12-03). With one
 * worker it compiles on the idle core; with one worker per core it takes that time from the workers, so
 * the epochs right after the first understate what more workers give in a job of any length (LeNet
 * local-sgd, 6 epochs, 2 workers against 1 per epoch: 1.61x, 1.87x, 1.94x, 1.87x, 1.74x).
 */
final class LaminaScalingRun {

    private LaminaScalingRun() {
    }

    /** Trains {@code config} (already set to the run's workers and mode) with {@code cores} local cores. */
    static ScalingResult run(JobConfig config, String model, int cores) throws Exception {
        long start = System.nanoTime();
        DataLoader data = new DataLoader(config.data(), config.model());
        SparkSession spark = Environment.spark("lamina bench scaling", "local[" + cores + "]");
        try {
            DataLoader.Split train = data.split(spark, true);
            DataLoader.Split test = data.split(spark, false);
            List<EpochReport> reports = new ArrayList<>();
            long[] firstReportNanos = {0};
            TrainedModel trained = new LaminaTrainer(spark, config.model(), config.training())
                    .withColumns(DataLoader.FEATURES, DataLoader.LABEL)
                    .withProgress(r -> {
                        if (reports.isEmpty()) {
                            firstReportNanos[0] = System.nanoTime();
                        }
                        reports.add(r);
                        System.out.println(r.line());
                    })
                    .fit(train.frame(), test.frame(), Map.of());
            double firstEpochStart = (firstReportNanos[0] - start) / 1e9 - reports.get(0).elapsedSeconds();
            return result(config, model, reports, firstEpochStart, trained.metrics());
        } finally {
            spark.stop();
        }
    }

    /** Epochs left out of the steady figures: the first third of {@code epochs}, at least 1 (none of 1). */
    static int warmUpEpochs(int epochs) {
        return epochs <= 1 ? 0 : Math.max(1, epochs / 3);
    }

    static ScalingResult result(JobConfig config, String model, List<EpochReport> reports, double setupSeconds,
                                Map<String, Object> metrics) {
        int workers = config.training().workers();
        Map<String, Object> m = ScalingResult.start("lamina", model, workers, config.training().mode());
        int warmUp = warmUpEpochs(reports.size());
        List<EpochReport> steady = reports.subList(warmUp, reports.size());
        long samples = 0;
        double train = 0;
        double eval = 0;
        double compute = 0;
        double comm = 0;
        double wait = 0;
        double apply = 0;
        double stage = 0;
        for (EpochReport r : steady) {
            samples += r.samples();
            train += r.trainSeconds();
            eval += r.evalSeconds();
            compute += r.computeSeconds() / workers;
            comm += (r.commSeconds() - r.waitSeconds()) / workers;
            wait += r.waitSeconds() / workers;
            apply += r.applySeconds();
            stage += r.trainSeconds() - r.taskSeconds();
        }
        int n = steady.size();
        List<double[]> curve = new ArrayList<>();
        List<double[]> trainCurve = new ArrayList<>();
        double trained = 0;
        for (EpochReport r : reports) {
            trained += r.trainSeconds();
            curve.add(new double[] {r.testAccuracy(), r.elapsedSeconds()});
            trainCurve.add(new double[] {r.testAccuracy(), trained});
        }
        m.put("samples_per_second", samples / train);
        m.put("epoch_seconds", (train + eval) / n);
        m.put("time_to_95_seconds", ScalingResult.timeTo(curve, 0.95));
        m.put("time_to_97_seconds", ScalingResult.timeTo(curve, 0.97));
        m.put("setup_seconds", setupSeconds);
        m.put("time_to_95_train_seconds", ScalingResult.timeTo(trainCurve, 0.95));
        m.put("time_to_97_train_seconds", ScalingResult.timeTo(trainCurve, 0.97));
        m.put("compute_seconds", compute / n);
        m.put("comm_seconds", comm / n);
        m.put("wait_seconds", wait / n);
        m.put("server_apply_seconds", apply / n);
        m.put("stage_seconds", stage / n);
        m.put("eval_seconds", eval / n);
        m.put("fixed_seconds", (stage + eval) / n);
        m.put("first_epoch_seconds", reports.get(0).trainSeconds() + reports.get(0).evalSeconds());
        m.put("epochs", reports.size());
        m.put("warm_up_epochs", warmUp);
        m.put("batch_size", config.training().batchSize());
        m.put("sync_every", config.training().mode().equals("local-sgd") ? config.training().exchange().syncEvery() : 1);
        m.put("compression", config.training().exchange().compression());
        m.put("parameters", dev.lamina.engine.nn.Model.of(config.model()).parameterCount());
        double pushBytes = steady.get(steady.size() - 1).pushBytesPerStep();
        m.put("push_bytes_per_step", pushBytes);
        // local Spark: the workers share the driver's JVM and reach its server through memory unless
        // training.inProcess is false; no bytes on a socket tells which it was
        m.put("exchange", pushBytes == 0 ? "memory" : "tcp");
        m.put("test_accuracy", metrics.get("test_accuracy"));
        List<Object> accuracy = new ArrayList<>();
        for (EpochReport r : reports) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("epoch", r.epoch());
            point.put("elapsed_seconds", r.elapsedSeconds());
            point.put("test_accuracy", Double.isFinite(r.testAccuracy()) ? r.testAccuracy() : null);
            accuracy.add(point);
        }
        m.put("accuracy_curve", accuracy);
        return new ScalingResult(m);
    }
}
