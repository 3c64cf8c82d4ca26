package dev.lamina.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointCodec;
import dev.lamina.ps.checkpoint.JobState;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointRestoreTest {
    private static final int N = 257;
    private static final int WORKERS = 2;
    private final SplittableRandom rng = new SplittableRandom(11);

    private static OptimizerConfig optimizer(String type) {
        return OptimizerConfig.defaults().withType(type).withLearningRate(0.01).withWeightDecay(1e-3);
    }

    private static ServerConfig config(boolean async) {
        ServerConfig c = new ServerConfig("127.0.0.1", 0, WORKERS, ServerConfig.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(10));
        return async ? c.withAsync(1) : c;
    }

    private float[] random() {
        float[] a = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    /** One step: every worker pushes (sequence = step, so exactly-once records advance). */
    private static void step(Aggregator<String> agg, long step, int epoch, float[][] grads) {
        for (int w = 0; w < WORKERS; w++) {
            Reply.Outcome<String> out = agg.push(new Message.PushGradient(w, epoch, step, step, 10 * (step + 1),
                    grads[w].clone()), "w" + w);
            out.replies().forEach(r -> assertTrue(r instanceof Reply.Updated, r.toString()));
        }
    }

    private static void assertSameState(Checkpoint a, Checkpoint b) {
        assertEquals(a.step(), b.step());
        assertArrayEquals(a.parameters(), b.parameters());
        assertEquals(a.optimizerSteps(), b.optimizerSteps());
        assertEquals(a.optimizerState().length, b.optimizerState().length);
        for (int i = 0; i < a.optimizerState().length; i++) {
            assertArrayEquals(a.optimizerState()[i], b.optimizerState()[i]);
        }
        assertEquals(a.workers(), b.workers());
        assertTrue(a.sameContents(b));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync:sgd", "sync:adam", "sync:adamw", "sync:rmsprop", "async:adam", "async:sgd"})
    void restoredServerContinuesBitwiseTheSame(String modeAndType) throws IOException {
        boolean async = modeAndType.startsWith("async");
        OptimizerConfig opt = optimizer(modeAndType.substring(modeAndType.indexOf(':') + 1));
        ServerConfig config = config(async);
        Aggregator<String> original = ParameterServer.newAggregator(config, random(), opt.create(N));
        for (long s = 0; s < 3; s++) {
            step(original, s, 0, new float[][] {random(), random()});
        }
        // through the file format, as a restarted job would read it
        Checkpoint saved = CheckpointCodec.decode("mem", CheckpointCodec.encode(original.checkpoint()));
        Aggregator<String> restored = ParameterServer.restoredAggregator(config, saved, opt);
        assertSameState(original.checkpoint(), restored.checkpoint());

        float[][] grads = {random(), random()};
        long next = original.step();
        step(original, next, 1, grads);
        step(restored, next, 1, grads);
        assertSameState(original.checkpoint(), restored.checkpoint());
        assertArrayEquals(original.parameters(), restored.parameters());

        // the exactly-once records survived: a replay of the last push is refused on both
        Message.PushGradient replay = new Message.PushGradient(0, 1, next, next, 0, grads[0].clone());
        assertEquals(ErrorCode.DUPLICATE_PUSH, refusal(restored.push(replay, "r")));
        original.close();
        restored.close();
    }

    private static ErrorCode refusal(Reply.Outcome<String> out) {
        return ((Reply.Refused<String>) out.replies().get(0)).failure().code();
    }

    @Test
    void mismatchedCheckpointsAreRefusedNamingTheField() {
        Aggregator<String> agg = ParameterServer.newAggregator(config(false), random(), optimizer("adam").create(N));
        Checkpoint c = agg.checkpoint();
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> ParameterServer.restoredAggregator(config(false), c, optimizer("sgd")));
        assertEquals("checkpoint optimizer : adam (expected: sgd, the job's optimizer)", type.getMessage());
        ServerConfig three = new ServerConfig("127.0.0.1", 0, 3, ServerConfig.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(1));
        IllegalArgumentException workers = assertThrows(IllegalArgumentException.class,
                () -> ParameterServer.restoredAggregator(three, c, optimizer("adam")));
        assertEquals("checkpoint workers : 2 (expected: 3, the server's worker count)", workers.getMessage());
        agg.close();
    }

    @Test
    void periodicCheckpointsAreTakenBetweenStepsWithTheJobState() throws Exception {
        Aggregator<String> agg = ParameterServer.newAggregator(config(false), random(), optimizer("adam").create(N));
        List<Checkpoint> written = new CopyOnWriteArrayList<>();
        List<float[]> expected = new ArrayList<>();
        JobState job = new JobState(7, 0, new byte[0], Map.of("k", "v"));
        try (PeriodicCheckpoints periodic = new PeriodicCheckpoints(agg, 2, written::add, () -> job)) {
            agg.onStep(periodic::stepped);
            for (long s = 0; s < 6; s++) {
                step(agg, s, 0, new float[][] {random(), random()});
                if ((s + 1) % 2 == 0) {
                    expected.add(agg.parameters());
                    long want = (s + 1) / 2;
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (periodic.counts()[0] < want && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                }
            }
        }
        assertEquals(List.of(2L, 4L, 6L), written.stream().map(Checkpoint::step).toList());
        for (int i = 0; i < written.size(); i++) {
            assertArrayEquals(expected.get(i), written.get(i).parameters());
            assertEquals(job, written.get(i).job());
            assertEquals(2 * (i + 1), written.get(i).optimizerSteps());
        }
        agg.close();
    }

    @Test
    void serverCheckpointAndRestoreOnLoopback() throws IOException {
        byte[] secret = dev.lamina.ps.protocol.Secrets.newSecret();
        Checkpoint first;
        try (ParameterServer server = ParameterServer.start(config(false), secret, random(), optimizer("adam").create(N))) {
            first = server.checkpoint();
        }
        try (ParameterServer restored = ParameterServer.restore(config(false), secret, first, optimizer("adam"))) {
            assertTrue(first.sameContents(restored.checkpoint()));
            assertEquals(0, restored.step());
            assertEquals(Progress.NONE, restored.progress(1));
        }
    }
}
