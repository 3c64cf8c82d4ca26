package dev.lamina.jobs;

import dev.lamina.driver.data.LabeledImages;
import dev.lamina.engine.io.Json;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.server.ParameterServer;
import dev.lamina.ps.server.ServerConfig;
import dev.lamina.worker.EpochTrainer;
import dev.lamina.worker.FeatureBlock;
import dev.lamina.worker.TrainingConfig;
import dev.lamina.worker.WorkerStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The processes of {@code bench --suite netem}, each a plain JVM in its own network namespace, driven
 * by the parent in lines on standard input and output. The server runs the engine+parameter-server
 * path of {@code bench --suite ps}: for run i it starts an embedded {@link ParameterServer} on
 * {@code portBase + i} in the run's mode (the job's initial parameters and server optimizer), prints
 * {@code ready i}, and closes it on {@code close i}. A worker, on {@code go i}, trains its slice of the
 * MNIST training images for the run's steps with {@link EpochTrainer} (the code a Spark task runs)
 * against that server and prints {@code result i {json}}.
 */
final class NetemChild {
    static final String READY = "ready ";
    static final String RESULT = "result ";

    private NetemChild() {
    }

    static void run(NetemPlan plan) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        byte[] secret = Secrets.readFile(Path.of(plan.secretFile()));
        if (plan.child().equals("server")) {
            server(plan, secret, in);
        } else if (plan.child().startsWith("worker:")) {
            worker(plan, Integer.parseInt(plan.child().substring("worker:".length())), secret, in);
        } else {
            throw new IllegalArgumentException("--child " + plan.child() + " (expected: server or worker:N)");
        }
    }

    private static void server(NetemPlan plan, byte[] secret, BufferedReader in) throws Exception {
        int i = 0;
        for (NetemPlan.Run run : plan.runs()) {
            TrainingConfig training = plan.jobConfig(run).training();
            ModelSpec spec = plan.jobConfig(run).model();
            Model model = Model.of(spec);
            float[] initial = model.initialParameters(training.seed());
            ServerConfig config = new ServerConfig(NetworkNamespaces.serverAddress(), plan.portBase() + i,
                    training.workers(), 4 * model.parameterCount() + 4096, Duration.ofMinutes(5));
            if (training.mode().equals("async")) {
                config = config.withAsync(training.exchange().staleness());
            }
            try (ParameterServer server = ParameterServer.start(config, secret, initial,
                    training.serverOptimizer().create(initial.length))) {
                System.out.println(READY + i);
                expect(in, "close " + i);
            }
            i++;
        }
    }

    private static void worker(NetemPlan plan, int worker, byte[] secret, BufferedReader in) throws Exception {
        JobConfig first = plan.jobConfig(plan.runs().get(0));
        LabeledImages images = new DataLoader(first.data(), first.model()).images(true);
        int i = 0;
        for (NetemPlan.Run run : plan.runs()) {
            JobConfig job = plan.jobConfig(run);
            int batch = job.training().workerBatchSize();
            FeatureBlock block = block(images, worker, plan.workers(), run.steps() * batch);
            EpochTrainer.Task task = new EpochTrainer.Task(NetworkNamespaces.serverAddress(), plan.portBase() + i,
                    Secrets.toHex(secret), job.model(), job.training(), 0, run.steps());
            expect(in, "go " + i);
            WorkerStats stats = EpochTrainer.run(task, worker, block);
            Map<String, Object> line = stats(stats);
            line.put("sync_every", run.mode().equals("local-sgd") ? job.training().exchange().syncEvery() : 1);
            line.put("parameters", Model.of(job.model()).parameterCount());
            System.out.println(RESULT + i + " " + Json.write(line));
            i++;
        }
    }

    static Map<String, Object> stats(WorkerStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", s.samples());
        m.put("steps", s.steps());
        m.put("compute_seconds", s.computeNanos() / 1e9);
        m.put("comm_seconds", s.commNanos() / 1e9);
        m.put("wait_seconds", s.waitNanos() / 1e9);
        m.put("apply_seconds", s.applyNanos() / 1e9);
        m.put("task_seconds", s.taskNanos() / 1e9);
        m.put("bytes_sent", s.bytesSent());
        m.put("bytes_received", s.bytesReceived());
        m.put("mean_loss", s.meanLoss());
        return m;
    }

    /**
     * Worker {@code worker}'s {@code rows} training images of {@code workers} equal slices, pixels
     * scaled to [0, 1] as the featurizer does.
     */
    static FeatureBlock block(LabeledImages images, int worker, int workers, int rows) {
        int width = images.rows() * images.cols();
        int slice = images.count() / workers;
        if (rows > slice) {
            throw new IllegalArgumentException("--steps: " + rows + " rows per worker (expected: <= " + slice
                    + ", the training images / workers; lower --steps)");
        }
        float[] features = new float[rows * width];
        float[] labels = new float[rows];
        int first = worker * slice;
        byte[] pixels = images.pixels();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                features[r * width + j] = (pixels[(first + r) * width + j] & 0xFF) / 255f;
            }
            labels[r] = images.labels()[first + r];
        }
        return new FeatureBlock(rows, width, features, labels);
    }

    private static void expect(BufferedReader in, String line) throws IOException {
        String got = in.readLine();
        if (!line.equals(got)) {
            throw new IllegalStateException("from the parent: " + got + " (expected: " + line + ")");
        }
    }
}
