package dev.lamina.worker;

import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.nn.NoiseSchedule;
import dev.lamina.engine.nn.ParameterView;
import dev.lamina.engine.nn.TrainingStep;
import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.tensor.Tensor;
import dev.lamina.ps.client.HostPort;
import dev.lamina.ps.client.ShardedClient;
import dev.lamina.ps.client.Transport;
import dev.lamina.ps.compress.PushCodecs;
import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.Secrets;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One worker's epoch: connect to the parameter server, pull the parameters, then for each step take
 * the next batch of the partition in a seeded shuffled order and compute the gradient with the engine.
 * In sync and async mode every gradient is pushed and the server's parameters pulled; in local-sgd the
 * worker steps with its own optimizer and exchanges a parameter delta every {@code syncEvery} steps.
 * Pushes are compressed with the configured codec; topk and threshold carry their error-feedback
 * residual from push to push within the epoch. With several parameter-server shards every push and pull
 * goes to all of them in parallel, each its range (compressed per range). Allocates nothing per step
 * with one shard. Before and after the steps it asks the servers how long its pushes waited for the
 * other workers, so the stats split communication from waiting.
 */
public final class EpochTrainer {

    /**
     * Everything a task needs, shipped in the task closure (the secret included: it is per job).
     *
     * @param host          the parameter server's host
     * @param port          its port
     * @param secretHex     the per-job secret, hex
     * @param spec          the model
     * @param config        the training configuration
     * @param epoch         the epoch number, from 0
     * @param stepsPerEpoch steps every worker takes this epoch (the same for all, as sync mode needs)
     * @param tlsCertificate the parameter server's TLS certificate (DER) that workers pin; empty = plain TCP
     */
    public record Task(String host, int port, String secretHex, ModelSpec spec, TrainingConfig config, int epoch,
                       int stepsPerEpoch, byte[] tlsCertificate) implements Serializable {

        public Task {
            tlsCertificate = tlsCertificate == null ? new byte[0] : tlsCertificate.clone();
        }

        /** Over plain TCP. */
        public Task(String host, int port, String secretHex, ModelSpec spec, TrainingConfig config, int epoch,
                    int stepsPerEpoch) {
            this(host, port, secretHex, spec, config, epoch, stepsPerEpoch, new byte[0]);
        }

        /**
         * How workers reach the parameter servers: TLS pinned to {@link #tlsCertificate()}, or plain TCP; and
         * through memory when the embedded server runs in the worker's JVM and the config allows it.
         */
        public Transport transport() {
            return Transport.forCertificate(tlsCertificate).withInProcess(config.exchange().inProcess());
        }
    }

    private EpochTrainer() {
    }

    /** Trains worker {@code workerId} for one epoch over {@code block}; returns what it did. */
    public static WorkerStats run(Task task, int workerId, FeatureBlock block) throws IOException {
        return run(task, workerId, block, client -> { });
    }

    /**
     * As {@link #run(Task, int, FeatureBlock)}; {@code connected} receives the connection to the
     * parameter servers as soon as it is open, so that another thread can close it to abort the epoch
     * (a cancelled Spark task whose thread is blocked waiting for the server).
     */
    public static WorkerStats run(Task task, int workerId, FeatureBlock block,
                                  java.util.function.Consumer<AutoCloseable> connected) throws IOException {
        Model model = Model.of(task.spec());
        int batch = task.config().workerBatchSize();
        if (block.width() != task.spec().inputSize()) {
            throw new IllegalArgumentException("feature width : " + block.width() + " (expected: "
                    + task.spec().inputSize() + " for model input " + task.spec().inputShape() + ")");
        }
        if ((long) task.stepsPerEpoch() * batch > block.rows()) {
            throw new IllegalArgumentException("partition " + workerId + " has " + block.rows() + " rows (expected: >= "
                    + (long) task.stepsPerEpoch() * batch + " for " + task.stepsPerEpoch() + " steps of " + batch + ")");
        }
        float[] params = new float[model.parameterCount()];
        float[] grads = new float[model.parameterCount()];
        TrainingStep step = model.trainingStep(batch, params, grads, KernelProvider.kernels());
        int[] order = shuffledOrder(block.rows(), task.config().seed(), task.epoch(), workerId);
        Duration timeout = Duration.ofSeconds(task.config().stepTimeoutSeconds());
        ExchangeConfig exchange = task.config().exchange();
        long start = System.nanoTime();
        try (ShardedClient client = ShardedClient.connect(serverAddresses(task), Secrets.fromHex(task.secretHex()),
                workerId, timeout, n -> new PushEncoder(PushCodecs.create(exchange.compression(),
                        exchange.topkRatio(), exchange.threshold()), n), task.transport())) {
            connected.accept(client);
            if (client.parameterCount() != model.parameterCount()) {
                throw new IllegalStateException("parameter servers hold " + client.parameterCount() + " parameters in "
                        + client.ranges().size() + " shards (expected: " + model.parameterCount() + ", the model's)");
            }
            Message.Timing before = client.timing();
            Loop loop = new Loop(task, workerId, block, model, step, order, params, grads,
                    batchSource(task.spec(), block, order, task.config().seed(), task.epoch(), workerId));
            WorkerStats stats = task.config().mode().equals("local-sgd") ? loop.localSgd(client) : loop.perStep(client);
            long end = System.nanoTime();
            Message.Timing after = client.timing();
            return new WorkerStats(stats.samples(), stats.steps(), stats.lossSum(), stats.computeNanos(),
                    stats.commNanos(), stats.bytesSent(), stats.bytesReceived(), after.waitNanos() - before.waitNanos(),
                    after.applyNanos() - before.applyNanos(), end - start);
        }
    }

    /** The configured standalone shards, else the driver's embedded server at the task's host and port. */
    static List<String> serverAddresses(Task task) {
        List<String> servers = task.config().servers();
        return servers.isEmpty() ? List.of(new HostPort(task.host(), task.port()).toString()) : servers;
    }

    /** Writes the batch of rows from {@code start} of the epoch's order into a step's features and targets. */
    @FunctionalInterface
    interface BatchSource {
        void fill(int start, Tensor features, Tensor labels);
    }

    /**
     * The rows as they are ({@link #fillBatch}) or, for a diffusion model, noised at random steps
     * with a noise stream fixed by (seed, epoch, worker) (a resumed epoch draws other noise).
     */
    static BatchSource batchSource(ModelSpec spec, FeatureBlock block, int[] order, long seed, int epoch, int workerId) {
        if (!spec.isDiffusion()) {
            return (start, features, labels) -> fillBatch(block, order, start, features, labels);
        }
        NoiseSchedule schedule = new NoiseSchedule(spec.diffusion());
        SplittableRandom random = stream(seed ^ NOISE_SALT, epoch, workerId);
        int channels = spec.dataShape().dim(0);
        return (start, features, labels) -> fillNoised(block, order, start, features, labels, schedule, channels, random);
    }

    /** Keeps the noise stream apart from the data order's. */
    private static final long NOISE_SALT = 0x6E6F697365L;

    /**
     * Rows {@code order[start..]} as diffusion training rows: each image noised at a random step (its
     * class as the label, sometimes dropped) into the features, the noise into the targets.
     */
    static void fillNoised(FeatureBlock block, int[] order, int start, Tensor features, Tensor labels,
                           NoiseSchedule schedule, int channels, SplittableRandom random) {
        int width = block.width();
        int n = labels.size() / width;
        int inWidth = features.size() / n;
        if (labels.size() != n * width || features.size() != n * inWidth) {
            throw new IllegalArgumentException("targets of " + labels.size() + " values, features of " + features.size()
                    + " (expected: " + width + " noise values per row, as many as the image's pixels)");
        }
        for (int r = 0; r < n; r++) {
            int row = order[start + r];
            schedule.trainingRow(block.features(), row * width, channels, width / channels, (int) block.labels()[row],
                    random, features.data(), features.offset() + r * inWidth, labels.data(), labels.offset() + r * width);
        }
    }

    /** One epoch's state: the model step, its buffers, the data order (push encoders live in the client). */
    private record Loop(Task task, int workerId, FeatureBlock block, Model model, TrainingStep step, int[] order,
                        float[] params, float[] grads, BatchSource batches) {

        /** sync and async: every step pushes its gradient and pulls the server's parameters. */
        WorkerStats perStep(ShardedClient client) throws IOException {
            int batch = task.config().workerBatchSize();
            long globalStep = client.pull(params);
            long compute = 0;
            long comm = 0;
            double lossSum = 0;
            for (int s = resumeAt(client); s < task.stepsPerEpoch(); s++) {
                long t0 = System.nanoTime();
                float loss = compute(s, globalStep);
                long t1 = System.nanoTime();
                globalStep = client.pushPull(task.epoch(), globalStep, s, (long) (s + 1) * batch, grads, params);
                compute += t1 - t0;
                comm += System.nanoTime() - t1;
                lossSum += loss;
            }
            return stats(client, lossSum, compute, comm);
        }

        /**
         * local-sgd: steps with a local optimizer, and every {@code syncEvery} steps (and after the last)
         * pushes the parameter delta (start - now) and continues from the server's parameters.
         */
        WorkerStats localSgd(ShardedClient client) throws IOException {
            int batch = task.config().workerBatchSize();
            int every = task.config().exchange().syncEvery();
            int first = resumeAt(client);
            Optimizer local = task.config().optimizer().create(params.length);
            // The learning-rate schedule runs over the whole job, as on the server in sync mode: this
            // epoch's first local step is step epoch * stepsPerEpoch + first of it (momentum starts afresh).
            local.restore((long) task.epoch() * task.stepsPerEpoch() + first, local.state());
            float[] anchor = new float[params.length];
            float[] delta = new float[params.length];
            long round = client.pull(params);
            System.arraycopy(params, 0, anchor, 0, params.length);
            long compute = 0;
            long comm = 0;
            double lossSum = 0;
            for (int s = first; s < task.stepsPerEpoch(); s++) {
                long t0 = System.nanoTime();
                lossSum += compute(s, round);
                local.step(params, grads);
                long t1 = System.nanoTime();
                compute += t1 - t0;
                if ((s + 1) % every == 0 || s + 1 == task.stepsPerEpoch()) {
                    for (int i = 0; i < delta.length; i++) {
                        delta[i] = anchor[i] - params[i];
                    }
                    round = client.pushPull(task.epoch(), round, s, (long) (s + 1) * batch, delta, params);
                    System.arraycopy(params, 0, anchor, 0, params.length);
                    comm += System.nanoTime() - t1;
                }
            }
            return stats(client, lossSum, compute, comm);
        }

        /**
         * The first step to take: after the last push of this partition the server applied in this epoch
         * (a retried task resumes there instead of training those samples twice), else 0.
         */
        private int resumeAt(ShardedClient client) throws IOException {
            long[] acknowledged = client.acknowledged();
            return acknowledged[0] == task.epoch() ? (int) acknowledged[1] + 1 : 0;
        }

        private float compute(int s, long globalStep) {
            batches.fill(s * task.config().workerBatchSize(), step.features(), step.labels());
            float loss = step.run();
            checkFinite(model, loss, grads, task.epoch(), globalStep, workerId);
            return loss;
        }

        private WorkerStats stats(ShardedClient client, double lossSum, long compute, long comm) {
            return new WorkerStats((long) task.stepsPerEpoch() * task.config().workerBatchSize(), task.stepsPerEpoch(),
                    lossSum, compute, comm, client.bytesSent(), client.bytesReceived());
        }
    }

    /** A permutation of [0, rows) fixed by (seed, epoch, worker): per-worker streams come from split(). */
    static int[] shuffledOrder(int rows, long seed, int epoch, int workerId) {
        SplittableRandom random = stream(seed, epoch, workerId);
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The random stream of worker {@code workerId} in {@code epoch}: per-worker streams come from split(). */
    static SplittableRandom stream(long seed, int epoch, int workerId) {
        SplittableRandom epochRandom = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        SplittableRandom random = epochRandom.split();
        for (int w = 0; w < workerId; w++) {
            random = epochRandom.split();
        }
        return random;
    }

    /**
     * Copies rows {@code order[start..]} into the step's features and targets: the label per row, or,
     * when the targets are as large as the features ({@link Targets#INPUT}), the features themselves.
     */
    static void fillBatch(FeatureBlock block, int[] order, int start, Tensor features, Tensor labels) {
        int width = block.width();
        int n = features.size() / width;
        boolean perPosition = block.labelWidth() > 1;
        boolean reconstruct = !perPosition && labels.size() == n * width && labels.size() != n;
        if (perPosition ? labels.size() != n * width : !reconstruct && labels.size() != n) {
            throw new IllegalArgumentException("targets of " + labels.size() + " values for " + n + " rows (expected: "
                    + (perPosition ? n * width + " next tokens" : n + " labels or " + n * width + " features") + ")");
        }
        for (int r = 0; r < n; r++) {
            int row = order[start + r];
            System.arraycopy(block.features(), row * width, features.data(), features.offset() + r * width, width);
            if (perPosition) {
                System.arraycopy(block.labels(), row * width, labels.data(), labels.offset() + r * width, width);
            } else if (reconstruct) {
                System.arraycopy(block.features(), row * width, labels.data(), labels.offset() + r * width, width);
            } else {
                labels.data()[labels.offset() + r] = block.labels()[row];
            }
        }
    }

    /** Fails fast on a non-finite loss or gradient, naming the step and the parameter. */
    static void checkFinite(Model model, float loss, float[] grads, int epoch, long step, int workerId) {
        if (!Float.isFinite(loss)) {
            throw new ArithmeticException("loss is " + loss + " at epoch " + epoch + ", step " + step + " on worker "
                    + workerId + " (expected: finite; lower training.optimizer.learningRate or check the input data)");
        }
        int i = KernelProvider.kernels().firstNonFinite(grads.length, grads, 0);
        if (i >= 0) {
            ParameterView p = model.parameterAt(i);
            throw new ArithmeticException("gradient of " + p.name() + "[" + (i - p.offset()) + "] is " + grads[i]
                    + " at epoch " + epoch + ", step " + step + " on worker " + workerId + " (expected: finite)");
        }
    }
}
