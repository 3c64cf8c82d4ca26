package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointCodec;
import dev.lamina.ps.checkpoint.JobState;
import dev.lamina.ps.checkpoint.ShardedCheckpoints;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.ShardRange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Sharded state saved and restored: the shards' snapshots merge into the checkpoint one whole server
 * would have written, bit for bit, and a checkpoint restores into any number of shards that then
 * continue exactly like the whole server.
 */
class ShardedCheckpointRestoreTest {
    private static final int N = 257;
    private static final int WORKERS = 2;
    private static final ServerConfig CONFIG = new ServerConfig("127.0.0.1", 0, WORKERS,
            ServerConfig.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(10));
    private final SplittableRandom rng = new SplittableRandom(5);

    private float[] random() {
        float[] a = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    /** One sync step on the whole server and on every shard (each its slice of the same gradients). */
    private void step(Aggregator<String> whole, List<Aggregator<String>> shards, List<ShardRange> ranges, long step) {
        float[][] grads = {random(), random()};
        for (int w = 0; w < WORKERS; w++) {
            whole.push(new Message.PushGradient(w, 1, step, step, 8 * (step + 1), grads[w].clone()), "w" + w);
            for (int s = 0; s < shards.size(); s++) {
                ShardRange r = ranges.get(s);
                shards.get(s).push(new Message.PushGradient(w, 1, step, step, 8 * (step + 1),
                        Arrays.copyOfRange(grads[w], r.offset(), r.end())), "w" + w);
            }
        }
    }

    private static List<Aggregator<String>> restore(Checkpoint whole, List<ShardRange> ranges, OptimizerConfig opt) {
        List<Aggregator<String>> shards = new ArrayList<>();
        for (Checkpoint part : ShardedCheckpoints.split(whole, ranges)) {
            shards.add(ParameterServer.restoredAggregator(CONFIG, part, opt));
        }
        return shards;
    }

    private static Checkpoint merged(List<Aggregator<String>> shards, List<ShardRange> ranges, JobState job) {
        return ShardedCheckpoints.merge(shards.stream().map(Aggregator::checkpoint).toList(), ranges, job);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adam", "adamw", "rmsprop"})
    void shardsSaveAndRestoreBitExactlyAcrossShardCounts(String type) throws IOException {
        OptimizerConfig opt = OptimizerConfig.defaults().withType(type).withLearningRate(0.01).withWeightDecay(1e-3);
        JobState job = new JobState(42, 1, new byte[] {3}, Map.of("config", "x"));
        float[] initial = random();
        Aggregator<String> whole = ParameterServer.newAggregator(CONFIG, initial, opt.create(N));
        List<ShardRange> three = ShardRange.split(N, 3);
        List<Aggregator<String>> shards = restore(ShardedCheckpoints.fresh(initial, opt, WORKERS), three, opt);
        for (long s = 0; s < 3; s++) {
            step(whole, shards, three, s);
        }
        Checkpoint saved = merged(shards, three, job);
        assertTrue(whole.checkpoint().withJob(job).sameContents(saved));

        // written and read back as one file, then restored into 2 shards
        Checkpoint read = CheckpointCodec.decode("mem", CheckpointCodec.encode(saved));
        assertTrue(saved.sameContents(read));
        List<ShardRange> two = ShardRange.split(N, 2);
        List<Aggregator<String>> restored = restore(read, two, opt);
        assertEquals(3, restored.get(1).step());
        for (long s = 3; s < 6; s++) {
            step(whole, restored, two, s);
        }
        Checkpoint after = merged(restored, two, job);
        assertTrue(whole.checkpoint().withJob(job).sameContents(after));
        assertArrayEquals(whole.parameters(), after.parameters());
        whole.close();
        shards.forEach(Aggregator::close);
        restored.forEach(Aggregator::close);
    }

    @Test
    void freshStateRestoresToAFreshServer() {
        OptimizerConfig opt = OptimizerConfig.defaults().withType("adam");
        float[] initial = random();
        Checkpoint fresh = ShardedCheckpoints.fresh(initial, opt, WORKERS);
        Aggregator<String> started = ParameterServer.newAggregator(CONFIG, initial, opt.create(N));
        assertTrue(started.checkpoint().sameContents(fresh));
        started.close();
    }

    @Test
    void snapshotsOfDifferentStepsAreNotMerged() {
        OptimizerConfig opt = OptimizerConfig.defaults();
        List<ShardRange> two = ShardRange.split(N, 2);
        List<Aggregator<String>> shards = restore(ShardedCheckpoints.fresh(random(), opt, WORKERS), two, opt);
        for (int w = 0; w < WORKERS; w++) {
            shards.get(0).push(new Message.PushGradient(w, 0, 0, 0, 1, new float[two.get(0).count()]), "w" + w);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> merged(shards, two, JobState.NONE));
        assertEquals("shard 1 snapshot step : 0 (expected: 1, as shard 0; snapshots must be taken between steps)",
                e.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> merged(shards, List.of(two.get(1), two.get(0)), JobState.NONE));
        assertTrue(size.getMessage().startsWith("shard ranges : "), size.getMessage());
        shards.forEach(Aggregator::close);
    }
}
