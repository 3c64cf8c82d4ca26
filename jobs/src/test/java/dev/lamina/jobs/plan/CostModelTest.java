package dev.lamina.jobs.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CostModelTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    /**
     * 1,000 parameters, batch 50; compute 10 ms (sd 2 ms), local optimizer 1 ms; pull 4,000 bytes; round trip
     * 0.1 ms; 1 ns/byte on the worker, 2 ns/byte on the server; apply 0.5 ms + 0.25 ms per further worker;
     * codec none pushes 4,000 bytes, topk 400 bytes with 0.3 ms encode and 0.1 ms decode.
     */
    private static final Calibration C = new Calibration(1000, 50, 0.010, 0.002, 0.001, 4000, 1e-4, 1e-9, 2e-9,
            5e-4, 2.5e-4, Map.of("none", new Calibration.Codec(4000, 0, 0),
                    "topk", new Calibration.Codec(400, 3e-4, 1e-4)));

    private static CostModel.Cluster cluster(int workers, int shards, double bytesPerSecond, double latency) {
        return new CostModel.Cluster(workers, shards, bytesPerSecond, latency, 0, 100);
    }

    @Test
    void oneWorkerOnLoopbackIsTheMeasuredRoundTrip() {
        // 1e-4 + 8000 * (1e-9 + 2e-9) + 5e-4 = 6.24e-4
        assertEquals(6.24e-4, CostModel.exchangeSeconds(C, C.codec("none"), cluster(1, 1, INF, 0)), 1e-12);
        CostModel.Prediction p = CostModel.predict(C, cluster(1, 1, INF, 0), "sync", "none", 8);
        assertEquals(0.010624, p.stepSeconds(), 1e-12);
        assertEquals(0, p.waitSeconds());
        assertEquals(50 / 0.010624, p.samplesPerSecond(), 1e-9);
        assertEquals(0.010 / 0.010624, p.efficiency(), 1e-12);
    }

    @Test
    void workersShareTheServersBytesApplyAndLinkAndShardsDivideThem() {
        // 4 workers, 1 shard, 1 MB/s, 2 ms one way: 4e-3 + 1e-4 + 8000e-9 + 4 * (8000 * 2e-9) + (5e-4 + 3 * 2.5e-4)
        //   + 8000 * 4 / 1e6
        double expected = 4e-3 + 1e-4 + 8e-6 + 6.4e-5 + 1.25e-3 + 0.032;
        assertEquals(expected, CostModel.exchangeSeconds(C, C.codec("none"), cluster(4, 1, 1e6, 0.002)), 1e-12);
        // 2 shards: half the server's bytes, apply and link
        double sharded = 4e-3 + 1e-4 + 8e-6 + 3.2e-5 + 6.25e-4 + 0.016;
        assertEquals(sharded, CostModel.exchangeSeconds(C, C.codec("none"), cluster(4, 2, 1e6, 0.002)), 1e-12);
        // more shards than workers: a worker's own link is the limit
        assertEquals(8000 / 1e6, CostModel.exchangeSeconds(C, C.codec("none"), cluster(2, 4, 1e6, 0))
                - CostModel.exchangeSeconds(C, C.codec("none"), cluster(2, 4, INF, 0)), 1e-12);
    }

    @Test
    void aCodecChangesThePushBytesAndAddsItsEncodeAndDecode() {
        // 1e-4 + 3e-4 + 4400 * 1e-9 + 2 * (1e-4 + 4400 * 2e-9) + 7.5e-4 + 4400 * 2 / 1e6
        double expected = 1e-4 + 3e-4 + 4.4e-6 + 2 * (1e-4 + 8.8e-6) + 7.5e-4 + 8.8e-3;
        assertEquals(expected, CostModel.exchangeSeconds(C, C.codec("topk"), cluster(2, 1, 1e6, 0)), 1e-12);
    }

    @Test
    void theSlowestOfNWorkersAddsTheExpectedMaximumOfTheirSpread() {
        assertEquals(0, CostModel.waitSeconds(C, 1, 1));
        assertEquals(0.002 * Math.sqrt(2 * Math.log(16)), CostModel.waitSeconds(C, 16, 1), 1e-15);
        assertEquals(0.002 * Math.sqrt(8) * Math.sqrt(2 * Math.log(16)), CostModel.waitSeconds(C, 16, 8), 1e-15);
    }

    @Test
    void localSgdSpreadsOneExchangeAndItsWaitOverHStepsAndAsyncNeverWaits() {
        CostModel.Cluster k = cluster(16, 1, 1e6, 0.001);
        double exchange = CostModel.exchangeSeconds(C, C.codec("none"), k);
        CostModel.Prediction sync = CostModel.predict(C, k, "sync", "none", 8);
        CostModel.Prediction local = CostModel.predict(C, k, "local-sgd", "none", 8);
        CostModel.Prediction async = CostModel.predict(C, k, "async", "none", 8);
        assertEquals(0.010 + exchange + CostModel.waitSeconds(C, 16, 1), sync.stepSeconds(), 1e-12);
        assertEquals(0.011 + exchange / 8 + CostModel.waitSeconds(C, 16, 8) / 8, local.stepSeconds(), 1e-12);
        assertEquals(0.010 + exchange, async.stepSeconds(), 1e-12);
        assertEquals(16 * 50 / local.stepSeconds(), local.samplesPerSecond(), 1e-9);
    }

    @Test
    void workersSharingAHostComputeAtTheSharedFigure() {
        // The same machine measured with 4 cores: 10 ms (sd 2 ms) alone, 13 ms (sd 3 ms) with all 4 busy.
        Calibration shared = new Calibration(1000, 50, 0.010, 0.002, 4, 0.013, 0.003, 0.001, 4000, 1e-4, 1e-9, 2e-9,
                5e-4, 2.5e-4, C.codecs());
        assertEquals(0.010, shared.computeSeconds(1));
        assertEquals(0.011, shared.computeSeconds(2), 1e-15);
        assertEquals(0.013, shared.computeSeconds(4));
        assertEquals(0.013, shared.computeSeconds(512));
        assertEquals(0.002 + 0.001 * 2 / 3, shared.computeStdSeconds(3), 1e-15);
        CostModel.Cluster k = cluster(16, 1, INF, 0);
        CostModel.Prediction p = CostModel.predict(shared, k, "sync", "none", 1);
        assertEquals(0.013 + CostModel.exchangeSeconds(shared, shared.codec("none"), k)
                + 0.003 * Math.sqrt(2 * Math.log(16)), p.stepSeconds(), 1e-12);
        // Efficiency is against the worker alone: the sharing counts against it.
        assertEquals(16 * 50 / p.stepSeconds() / (16 * 50 / 0.010), p.efficiency(), 1e-12);
        // A run's own compute time stands for both, the spread and everything else kept.
        Calibration own = shared.withCompute(0.020);
        assertEquals(0.020, own.computeSeconds(1));
        assertEquals(0.020, own.computeSeconds(4));
        assertEquals(0.003, own.computeStdSeconds(4));
        assertEquals(shared.codecs(), own.codecs());
        // One core measured: alone and shared are the same step.
        assertEquals(C.computeSeconds(), C.computeSeconds(64));
        assertThrows(IllegalArgumentException.class, () -> new Calibration(1000, 50, 0.010, 0.002, 0, 0.013, 0.003,
                0.001, 4000, 1e-4, 1e-9, 2e-9, 5e-4, 2.5e-4, C.codecs()));
    }

    @Test
    void theStageLaunchIsAmortizedOverTheEpochsSteps() {
        CostModel.Cluster k = new CostModel.Cluster(1, 1, INF, 0, 0.2, 400);
        assertEquals(0.010624 + 0.2 / 400, CostModel.predict(C, k, "sync", "none", 1).stepSeconds(), 1e-12);
    }

    @Test
    void badInputsAreNamed() {
        assertEquals("mode : fast (expected: one of [sync, local-sgd, async])", assertThrows(IllegalArgumentException.class,
                () -> CostModel.predict(C, cluster(1, 1, INF, 0), "fast", "none", 1)).getMessage());
        assertEquals("compression : int8 (expected: one of " + C.codecs().keySet() + ")",
                assertThrows(IllegalArgumentException.class,
                        () -> CostModel.predict(C, cluster(1, 1, INF, 0), "sync", "int8", 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> cluster(0, 1, INF, 0));
        assertThrows(IllegalArgumentException.class, () -> cluster(1, 1, 0, 0));
    }
}
