package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.TrainedModel;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.jobs.TrainJob;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointCodec;
import dev.lamina.ps.checkpoint.CheckpointStore;
import dev.lamina.ps.checkpoint.JobState;
import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model files and parameter-server checkpoints on a real HDFS: an in-process MiniDFSCluster (one
 * name node, one data node) from hadoop-client-minicluster, beside Spark's shaded Hadoop client.
 */
class HdfsCheckpointIT {
    private static final String CONFIG = Path.of("..", "conf", "mnist-mlp.yaml").toString();
    private static MiniDFSCluster cluster;
    private static Configuration conf;
    private static String root;

    @BeforeAll
    static void startHdfs() throws Exception {
        Path base = Files.createTempDirectory("lamina-hdfs");
        conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        long t0 = System.nanoTime();
        cluster = new MiniDFSCluster.Builder(conf, new File(base.toString())).numDataNodes(1).build();
        cluster.waitActive();
        root = cluster.getFileSystem().getUri().toString();
        System.out.printf("MiniDFSCluster at %s started in %.1f s%n", root, (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    /** A checkpoint of the MNIST MLP (784-256-128-10) with Adam's two state buffers. */
    private static Checkpoint mnistMlpCheckpoint(long step, long seed) {
        int n = Model.of(ModelSpec.mlp(784, 256, 128, 10)).parameterCount();
        SplittableRandom rng = new SplittableRandom(seed);
        float[] params = new float[n];
        float[][] state = new float[2][n];
        for (int i = 0; i < n; i++) {
            params[i] = (float) rng.nextGaussian();
            state[0][i] = (float) rng.nextGaussian();
            state[1][i] = rng.nextFloat();
        }
        return new Checkpoint(step, params, "adam", step, state,
                List.of(new Checkpoint.WorkerRecord(0, step, 64 * step), new Checkpoint.WorkerRecord(0, step, 64 * step)),
                new JobState(42, 0, new byte[0], Map.of("model", "mnist-mlp")));
    }

    @Test
    void modelFilesRoundTripBitExactly() throws Exception {
        ModelSpec spec = ModelSpec.mlp(784, 64, 10);
        float[] params = new float[Model.of(spec).parameterCount()];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) rng.nextGaussian();
        }
        String dir = root + "/models/mlp";
        ModelFiles.write(new TrainedModel(spec, params, List.of(), Map.of("test_accuracy", 0.5), Map.of("seed", 3)),
                dir, conf);
        ModelFiles.Saved back = ModelFiles.read(dir, conf);
        assertArrayEquals(params, back.parameters());
        assertEquals(spec.toMap(), back.spec().toMap());
    }

    @Test
    void checkpointsRoundTripKeepTheLastTwoAndSkipACorruptNewest() throws Exception {
        CheckpointStore store = CheckpointStore.open(root + "/ckpt/unit", conf);
        List<Double> writeMs = new ArrayList<>();
        for (long step : new long[] {100, 200, 300}) {
            long t0 = System.nanoTime();
            store.write(mnistMlpCheckpoint(step, step));
            writeMs.add((System.nanoTime() - t0) / 1e6);
        }
        assertEquals(List.of(300L, 200L), store.list().stream().map(CheckpointStore.Entry::step).toList());
        long t0 = System.nanoTime();
        Checkpoint latest = store.latest().orElseThrow();
        double readMs = (System.nanoTime() - t0) / 1e6;
        assertTrue(mnistMlpCheckpoint(300, 300).sameContents(latest));
        System.out.printf("MNIST MLP checkpoint (Adam): %d bytes; HDFS write ms %s, read %.1f ms%n",
                store.list().get(0).bytes(), writeMs, readMs);

        // a torn newest file (as if the writer died mid-rename on a store without atomic rename)
        byte[] bytes = CheckpointCodec.encode(mnistMlpCheckpoint(400, 400));
        FileSystem fs = FileSystem.get(new java.net.URI(root), conf);
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(root + "/ckpt/unit/checkpoint-400.bin"))) {
            out.write(Arrays.copyOf(bytes, bytes.length / 3));
        }
        assertEquals(300, store.latest().orElseThrow().step());
    }

    @Test
    void trainingWritesCheckpointsToHdfs() throws Exception {
        String ckpt = root + "/ckpt/train";
        String out = root + "/models/trained";
        TrainedModel model = TrainJob.run(new String[] {"--config", CONFIG, "--output", out, "--master", "local[2]",
                "--set", "data.trainLimit=2048", "--set", "data.testLimit=500", "--set", "training.epochs=2",
                "--set", "training.workers=2", "--set", "training.batchSize=64",
                "--set", "training.checkpointDir=" + ckpt, "--set", "training.checkpointEvery=10"});
        CheckpointStore store = CheckpointStore.open(ckpt, conf);
        List<CheckpointStore.Entry> entries = store.list();
        assertEquals(2, entries.size(), entries.toString());
        Checkpoint last = store.latest().orElseThrow();
        assertEquals(2, last.job().completedEpochs());
        assertTrue(last.step() > entries.get(1).step() && entries.get(1).step() >= 10, entries.toString());
        assertArrayEquals(model.parameters(), last.parameters(), "the epoch-end checkpoint holds the final weights");
        assertEquals("sgd", last.optimizerType());
        assertEquals(1, last.optimizerState().length, "SGD momentum: one velocity buffer");
        assertEquals(42, last.job().seed());
        assertTrue(last.job().provenance().containsKey("trainingConfig"), last.job().provenance().toString());
        for (Checkpoint.WorkerRecord w : last.workers()) {
            assertEquals(1, w.epoch());
        }
        assertArrayEquals(model.parameters(), ModelFiles.read(out, conf).parameters());
    }
}
