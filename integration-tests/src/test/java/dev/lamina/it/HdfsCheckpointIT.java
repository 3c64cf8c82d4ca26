package dev.lamina.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.ModelFiles;
import dev.lamina.driver.TrainedModel;
import dev.lamina.driver.registry.ChampionPointer;
import dev.lamina.driver.registry.ModelRegistry;
import dev.lamina.driver.registry.RegistryLock;
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

    /**
     * The registry's champion pointer on HDFS: two writers racing for every move (no lock) never both
     * win an entry, every entry is whole, a reader polling all the while always sees a champion that
     * only moves forward, and the registry lock refuses a second holder.
     */
    @Test
    void registryChampionPointerMovesAtomicallyOnHdfs() throws Exception {
        ModelRegistry registry = ModelRegistry.open(root + "/registry", conf);
        ChampionPointer pointer = registry.pointer();
        int rounds = 20;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        java.util.concurrent.Future<Integer> reader = pool.submit(() -> {
            int reads = 0;
            int seen = 0;
            while (!done.get()) {
                java.util.Optional<ChampionPointer.Entry> e = pointer.current();
                if (e.isPresent()) {
                    assertTrue(e.get().seq() >= seen, "the pointer went back from entry " + seen + " to " + e.get().seq());
                    seen = e.get().seq();
                }
                reads++;
            }
            return reads;
        });
        List<java.util.concurrent.Future<Integer>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(pool.submit(() -> {
                int won = 0;
                for (int r = 0; r < rounds; r++) {
                    start.await();
                    try {
                        pointer.promote(100 * writer + r, false, "writer-" + writer, "race " + r, java.time.Instant.now());
                        won++;
                    } catch (IllegalStateException lost) {
                        assertTrue(lost.getMessage().contains("was written by another run meanwhile"), lost.getMessage());
                    }
                }
                return won;
            }));
        }
        int won = 0;
        for (java.util.concurrent.Future<Integer> f : writers) {
            won += f.get();
        }
        done.set(true);
        int reads = reader.get();
        pool.shutdown();
        List<ChampionPointer.Entry> history = pointer.history();
        assertEquals(won, history.size(), "one entry per move that won");
        assertTrue(won >= rounds && won <= 2 * rounds, "at least one writer wins each round: " + won);
        for (int i = 0; i < history.size(); i++) {
            assertEquals(i + 1, history.get(i).seq(), "entries numbered without gaps or doubles");
        }
        System.out.printf("HDFS champion pointer: %d racing moves won of %d, %d reads in between%n", won, 2 * rounds,
                reads);
        try (RegistryLock lock = registry.lock("holder", java.time.Duration.ofMinutes(1))) {
            lock.verifyHeld();
            RegistryLock.HeldException e = org.junit.jupiter.api.Assertions.assertThrows(RegistryLock.HeldException.class,
                    () -> registry.lock("second", java.time.Duration.ofMinutes(1)));
            assertTrue(e.getMessage().contains("held by run holder"), e.getMessage());
        }
        registry.lock("second", java.time.Duration.ofMinutes(1)).close();
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
