package dev.lamina.driver;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.BatchNormStatistics;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.optim.ScheduleConfig;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointStore;
import dev.lamina.ps.checkpoint.JobState;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.server.ServerConfig;
import dev.lamina.worker.BatchNormCollector;
import dev.lamina.worker.EpochTrainer;
import dev.lamina.worker.EvalStats;
import dev.lamina.worker.FeatureBlock;
import dev.lamina.worker.Targets;
import dev.lamina.worker.TrainingConfig;
import dev.lamina.worker.WorkerStats;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.reflect.ClassTag$;

/**
 * Trains a model on DataFrames with Spark: the training data becomes one cached block per worker;
 * each epoch is one barrier stage in which every worker trains its block against a parameter server
 * embedded in this driver, or the standalone shards of {@code training.servers} (in the configured mode);
 * after each epoch the model is evaluated on the test data across the executors and a progress report is
 * emitted.
 */
public final class LaminaTrainer {
    private static final System.Logger LOG = System.getLogger(LaminaTrainer.class.getName());

    private final SparkSession spark;
    private final ModelSpec spec;
    private final TrainingConfig config;
    private String featuresCol = "features";
    private String labelCol = "label";
    private Consumer<EpochReport> progress = r -> LOG.log(Level.INFO, r.line());
    private EarlyStopping.Config earlyStopping = EarlyStopping.Config.off();
    private boolean resume;
    private float[] warmStart;
    private final LaminaMetricsSource metricsSource = new LaminaMetricsSource();

    public LaminaTrainer(SparkSession spark, ModelSpec spec, TrainingConfig config) {
        this.spark = spark;
        this.spec = spec;
        this.config = config;
    }

    /** Names the feature and label columns (default "features" and "label"). */
    public LaminaTrainer withColumns(String features, String label) {
        this.featuresCol = features;
        this.labelCol = label;
        return this;
    }

    /**
     * Stops when the evaluation metric has not improved for {@code config.patience()} epochs and
     * returns the best epoch's parameters (default: off, train every epoch, keep the last).
     */
    public LaminaTrainer withEarlyStopping(EarlyStopping.Config config) {
        this.earlyStopping = config;
        return this;
    }

    /**
     * Continues from the newest valid checkpoint in {@code training.checkpointDir} instead of starting
     * afresh (default: false): the parameters, optimizer state, server step and per-worker progress are
     * restored, training goes on with the next epoch (or, from a checkpoint taken mid-epoch, with the
     * first step no worker had acknowledged), and the earlier epochs' reports come from the checkpoint.
     * Refused with an explanation when there is no checkpoint, or when it was written with another
     * training configuration, model or data.
     */
    public LaminaTrainer withResume(boolean resume) {
        this.resume = resume;
        return this;
    }

    /**
     * Starts training from {@code parameters} (e.g. the current champion's, to warm-start a retrain)
     * instead of the seeded initialization; their count must match the model's. A resumed run still
     * starts from its checkpoint. Null: the seeded initialization (the default).
     */
    public LaminaTrainer withInitialParameters(float[] parameters) {
        this.warmStart = parameters == null ? null : parameters.clone();
        return this;
    }

    /** Receives one report per epoch (default: logged). */
    public LaminaTrainer withProgress(Consumer<EpochReport> listener) {
        this.progress = listener;
        return this;
    }

    /**
     * Trains on {@code train}, evaluating on {@code test} after every epoch. {@code provenance} is
     * recorded in the result (e.g. the job configuration and the data fingerprint).
     */
    public TrainedModel fit(Dataset<Row> train, Dataset<Row> test, Map<String, Object> provenance) {
        checkCluster();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Featurizer featurizer = Featurizer.forSpec(spec, featuresCol, labelCol);
        featurizer.checkSchema(train.schema());
        featurizer.checkSchema(test.schema());
        featurizer.validate(train, "the training data");
        featurizer.validate(test, "the evaluation data");
        // Deserialized: a block is a few float arrays, as large serialized as not, and every epoch and
        // evaluation would otherwise deserialize it again (89 MB per MNIST worker block: 0.06-0.5 s).
        JavaRDD<FeatureBlock> trainBlocks = featurizer.blocks(train, config.workers())
                .persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<FeatureBlock> testBlocks = featurizer.blocks(test, Math.max(config.workers(), jsc.defaultParallelism()))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            int stepsPerEpoch = stepsPerEpoch(trainBlocks.map(FeatureBlock::rows).collect());
            return train(jsc, trainBlocks, testBlocks, stepsPerEpoch, provenance);
        } finally {
            trainBlocks.unpersist(false);
            testBlocks.unpersist(false);
        }
    }

    private TrainedModel train(JavaSparkContext jsc, JavaRDD<FeatureBlock> trainBlocks, JavaRDD<FeatureBlock> testBlocks,
                               int stepsPerEpoch, Map<String, Object> provenance) {
        Model model = Model.of(spec);
        TrainingConfig config = withScheduleLength(stepsPerEpoch);
        if (warmStart != null && warmStart.length != model.parameterCount()) {
            throw new IllegalArgumentException("initial parameters : " + warmStart.length + " values (expected: "
                    + model.parameterCount() + ", the model's parameter count)");
        }
        float[] initial = warmStart != null ? warmStart : model.initialParameters(config.seed());
        String host = spark.sparkContext().getConf().get("spark.driver.host", "127.0.0.1");
        ServerConfig serverConfig = new ServerConfig(host, 0, config.workers(), 4 * model.parameterCount() + 4096,
                Duration.ofSeconds(config.stepTimeoutSeconds()));
        if (config.mode().equals("async")) {
            serverConfig = serverConfig.withAsync(config.exchange().staleness());
        }
        EarlyStopping stopping = new EarlyStopping(earlyStopping);
        float[] lastEvaluated = null;
        long start = System.nanoTime();
        float[] params;
        Optional<CheckpointStore> store = Checkpointing.open(config, spark.sparkContext().hadoopConfiguration());
        Map<String, String> checkpointProvenance = Checkpointing.provenance(config, spec, provenance(provenance));
        Optional<Checkpoint> resumed = resume
                ? Optional.of(Checkpointing.resumePoint(store, checkpointProvenance, model.parameterCount()))
                : Optional.empty();
        List<EpochReport> history = new ArrayList<>(resumed.map(c -> Checkpointing.history(c.job(), config.epochs()))
                .orElse(List.of()));
        int firstEpoch = resumed.map(c -> c.job().completedEpochs()).orElse(0);
        if (resumed.isPresent() && earlyStopping.enabled()) {
            LOG.log(Level.WARNING, "resuming with early stopping: only epochs from {0} on compete for the best"
                    + " weights (the earlier epochs' parameters are not in the checkpoint)", firstEpoch + 1);
        }
        try (ParameterServers server = ParameterServers.start(config, host, serverConfig, initial, resumed)) {
            LOG.log(Level.INFO, "{0}; {1} parameters; kernels: {2}", server.description(),
                    model.parameterCount(), KernelProvider.description());
            AtomicReference<JobState> job = new AtomicReference<>(new JobState(config.seed(), firstEpoch, new byte[0],
                    Checkpointing.withHistory(checkpointProvenance, history)));
            if (store.isPresent() && config.checkpointEvery() > 0) {
                server.checkpointEvery(config.checkpointEvery(), store.get(), job::get);
            }
            metricsSource.register();
            TrainPartition.Accumulators accumulators = TrainPartition.Accumulators.create(jsc.sc());
            long firstEpochStart = System.nanoTime();
            for (int epoch = firstEpoch; epoch < config.epochs(); epoch++) {
                EpochTrainer.Task task = new EpochTrainer.Task(server.host(), server.port(), Secrets.toHex(server.secret()),
                        spec, config, epoch, stepsPerEpoch, server.tlsCertificate());
                long t0 = System.nanoTime();
                WorkerStats stats;
                List<WorkerStats> perWorker;
                try (EpochProgress bar = EpochProgress.start(epoch + 1, config.epochs(), server.step(),
                        serverStepsPerEpoch(stepsPerEpoch), server::step, metricsSource::step,
                        System.console() != null ? System.err : null)) {
                    perWorker = runEpoch(trainBlocks, task, accumulators);
                    stats = total(perWorker);
                }
                metricsSource.step(server.step());
                long t1 = System.nanoTime();
                float[] current = withBatchNormStatistics(jsc, trainBlocks, server.parameters(), model);
                EvalStats eval = DistributedEvaluator.evaluate(jsc, testBlocks, spec, current);
                stopping.observe(epoch + 1, eval, current);
                lastEvaluated = current;
                long t2 = System.nanoTime();
                EpochReport report = new EpochReport(epoch + 1, config.epochs(), stats.meanLoss(), eval.accuracy(),
                        eval.meanLoss(), stats.samples(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, stats.computeNanos() / 1e9,
                        stats.commNanos() / 1e9, (double) stats.bytesSent() / Math.max(1, stats.steps()),
                        stats.waitNanos() / 1e9, stats.applyNanos() / 1e9, stats.taskNanos() / 1e9,
                        (t2 - firstEpochStart) / 1e9, workerTimes(perWorker));
                history.add(report);
                metricsSource.epochDone(report);
                job.set(new JobState(config.seed(), epoch + 1, new byte[0],
                        Checkpointing.withHistory(checkpointProvenance, history)));
                if (store.isPresent()) {
                    Checkpointing.write(store.get(), server.checkpoint(job.get()));
                }
                progress.accept(report);
                if (stopping.shouldStop()) {
                    LOG.log(Level.INFO, "early stopping after epoch {0}: no better evaluation {1} than epoch {2}"
                            + " for {3} epochs; keeping epoch {2}''s parameters", epoch + 1, earlyStopping.metric(),
                            stopping.bestEpoch(), earlyStopping.patience());
                    break;
                }
            }
            if (lastEvaluated == null) {
                // No epoch ran here: a resumed job whose training had finished (its final files were lost).
                lastEvaluated = withBatchNormStatistics(jsc, trainBlocks, server.parameters(), model);
            }
            params = stopping.result(lastEvaluated);
        } finally {
            metricsSource.unregister();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> metrics = metrics(history, seconds);
        if (resumed.isPresent()) {
            metrics.put("resumed_from_epoch", firstEpoch);
            metrics.put("resumed_from_step", resumed.get().step());
        }
        if (earlyStopping.enabled() && stopping.bestEpoch() > 0) {
            metrics.put("best_epoch", stopping.bestEpoch());
            EpochReport best = history.get(stopping.bestEpoch() - 1);
            if (Double.isFinite(best.testAccuracy())) {
                metrics.put("test_accuracy", best.testAccuracy());
            }
            metrics.put("test_loss", best.testLoss());
        }
        return new TrainedModel(spec, params, List.copyOf(history), metrics, provenance(provenance));
    }

    /**
     * For a model with batch normalization, {@code params} with running statistics collected from up
     * to 50 training batches per partition (precise batch norm): the parameter server never updates
     * them, so they are set before every evaluation and for the final model. Other models: unchanged.
     */
    private float[] withBatchNormStatistics(JavaSparkContext jsc, JavaRDD<FeatureBlock> blocks, float[] params,
                                            Model model) {
        if (!BatchNormCollector.needed(spec)) {
            return params;
        }
        org.apache.spark.broadcast.Broadcast<float[]> weights = jsc.broadcast(params);
        ModelSpec s = spec;
        int batch = config.workerBatchSize();
        try {
            BatchNormStatistics.Sums sums = blocks.map(b -> BatchNormCollector.collect(s, weights.value(), b, batch, 50))
                    .reduce(BatchNormStatistics.Sums::merge);
            float[] withStats = params.clone();
            model.batchNormStatistics(1, withStats, KernelProvider.kernels()).writeTo(withStats, sums);
            return withStats;
        } finally {
            weights.destroy();
        }
    }

    /** A cosine schedule without a stated length spans the whole run. */
    private TrainingConfig withScheduleLength(int stepsPerEpoch) {
        ScheduleConfig schedule = config.optimizer().schedule();
        if (schedule.type().equals("cosine") && schedule.totalSteps() == 0) {
            return config.withOptimizer(config.optimizer().withSchedule(
                    schedule.withTotalSteps((long) stepsPerEpoch * config.epochs())));
        }
        return config;
    }

    /** Parameter-server steps in one epoch: one per step in sync, per round in local-sgd, per push in async. */
    private long serverStepsPerEpoch(int stepsPerEpoch) {
        return switch (config.mode()) {
            case "local-sgd" -> (stepsPerEpoch + config.exchange().syncEvery() - 1) / config.exchange().syncEvery();
            case "async" -> (long) stepsPerEpoch * config.workers();
            default -> stepsPerEpoch;
        };
    }

    /**
     * One epoch as a barrier stage. The shuffle after it ({@code repartition(1)}) makes that stage a
     * shuffle-map stage, which Spark retries as a whole when a task or an executor fails (up to
     * {@code spark.stage.maxConsecutiveAttempts}); a failed barrier result stage instead aborts the job
     * ("Could not recover from a failed barrier ResultStage"). The retried tasks resume from the
     * parameter server's exactly-once records. The shuffle hands the stats over in arrival order, so
     * they are summed in a fixed order.
     */
    private static List<WorkerStats> runEpoch(JavaRDD<FeatureBlock> blocks, EpochTrainer.Task task,
                                              TrainPartition.Accumulators accumulators) {
        List<WorkerStats> perWorker = new ArrayList<>(new JavaRDD<>(blocks.rdd().barrier()
                .mapPartitions(new TrainPartition(task, accumulators), false, ClassTag$.MODULE$.apply(WorkerStats.class)),
                ClassTag$.MODULE$.apply(WorkerStats.class)).repartition(1).collect());
        perWorker.sort(Comparator.comparingInt(WorkerStats::worker));
        return perWorker;
    }

    /** The workers' stats summed in a fixed order (by loss sum), whatever order they arrived in. */
    private static WorkerStats total(List<WorkerStats> perWorker) {
        List<WorkerStats> ordered = new ArrayList<>(perWorker);
        ordered.sort(Comparator.comparingDouble(WorkerStats::lossSum));
        WorkerStats total = WorkerStats.empty();
        for (WorkerStats s : ordered) {
            total = total.merge(s);
        }
        return total;
    }

    private static List<EpochReport.WorkerTimes> workerTimes(List<WorkerStats> perWorker) {
        List<EpochReport.WorkerTimes> times = new ArrayList<>();
        for (WorkerStats s : perWorker) {
            times.add(new EpochReport.WorkerTimes(s.worker(), s.computeNanos() / 1e9, s.commNanos() / 1e9,
                    s.waitNanos() / 1e9));
        }
        return times;
    }

    private int stepsPerEpoch(List<Integer> partitionRows) {
        int min = partitionRows.stream().mapToInt(Integer::intValue).min().orElse(0);
        int steps = min / config.workerBatchSize();
        if (steps < 1) {
            throw new IllegalArgumentException("training data has partitions of " + partitionRows + " rows"
                    + " (expected: at least training.batchSize / training.workers = " + config.workerBatchSize()
                    + " rows per worker)");
        }
        return steps;
    }

    /** Fails before training when barrier stages cannot run the configured workers. */
    private void checkCluster() {
        SparkConf conf = spark.sparkContext().getConf();
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new IllegalStateException("spark.dynamicAllocation.enabled is true: Lamina runs each epoch as a barrier"
                    + " stage, which Spark does not allow with dynamic allocation (set spark.dynamicAllocation.enabled=false)");
        }
        int slots = spark.sparkContext().defaultParallelism();
        if (slots < config.workers()) {
            throw new IllegalStateException("training.workers : " + config.workers() + " but the cluster offers " + slots
                    + " task slots (expected: workers <= slots, since every worker of a barrier stage must run at once;"
                    + " lower training.workers or add executor cores, e.g. --master local[" + config.workers() + "])");
        }
    }

    private Map<String, Object> metrics(List<EpochReport> history, double seconds) {
        EpochReport last = history.get(history.size() - 1);
        long samples = history.stream().mapToLong(EpochReport::samples).sum();
        double trainSeconds = history.stream().mapToDouble(EpochReport::trainSeconds).sum();
        Map<String, Object> m = new LinkedHashMap<>();
        if (Double.isFinite(last.testAccuracy())) {
            m.put("test_accuracy", last.testAccuracy());
        }
        m.put("test_loss", last.testLoss());
        m.put("train_loss", last.trainLoss());
        m.put("epochs", history.size());
        m.put("workers", config.workers());
        m.put("train_seconds", seconds);
        m.put("samples_per_second", samples / trainSeconds);
        return m;
    }

    private Map<String, Object> provenance(Map<String, Object> extra) {
        Map<String, Object> p = new LinkedHashMap<>(extra);
        p.put("seed", config.seed());
        p.put("spark", spark.version());
        p.put("kernels", KernelProvider.description());
        return p;
    }
}
