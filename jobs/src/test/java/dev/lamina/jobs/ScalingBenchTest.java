package dev.lamina.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.EpochReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScalingBenchTest {
    private static final String MLP = Path.of("..", "conf", "scaling-mlp.yaml").toString();
    private static final String LENET = Path.of("..", "conf", "scaling-lenet.yaml").toString();

    private static ScalingBench.Options options(String... args) {
        return ScalingBench.Options.parse(args);
    }

    @Test
    void defaultsRunOneAndTwoWorkersInBothModesAndAnMllibLadder() {
        ScalingBench.Options o = options("--suite", "scaling", "--config", MLP);
        assertEquals(List.of(new ScalingBench.Run(1, "sync"), new ScalingBench.Run(2, "sync"),
                new ScalingBench.Run(1, "local-sgd"), new ScalingBench.Run(2, "local-sgd")), o.runs());
        assertEquals(List.of(50, 100, 150), o.mllib());
        assertEquals(List.of(), options("--suite", "scaling", "--model", "lenet", "--config", LENET).mllib());
    }

    @Test
    void childArgumentsCarryTheOptionsAndOverrides() {
        ScalingBench.Options o = options("--suite", "scaling", "--config", MLP, "--epochs", "3", "--mllib", "10,20",
                "--set", "data.trainLimit=4096");
        List<String> a = o.childArgs("lamina:2:sync");
        assertEquals(List.of("bench", "--suite", "scaling", "--child", "lamina:2:sync"), a.subList(0, 5));
        assertTrue(a.containsAll(List.of("--epochs", "3", "10,20", "--set", "data.trainLimit=4096")), a.toString());
        assertEquals(o, options(a.subList(1, a.size()).toArray(new String[0])).withChild(""));
    }

    @Test
    void jobConfigTakesTheRunsWorkersModeAndEpochs() throws IOException {
        JobConfig c = options("--suite", "scaling", "--config", MLP, "--epochs", "2").jobConfig(2, "local-sgd");
        assertEquals(2, c.training().workers());
        assertEquals("local-sgd", c.training().mode());
        assertEquals(2, c.training().epochs());
        assertEquals(8, c.training().exchange().syncEvery());
    }

    @Test
    void badOptionsAreNamed() {
        assertEquals("--runs entry : 2 (expected: workers:mode, e.g. 2:sync)", assertThrows(IllegalArgumentException.class,
                () -> options("--config", MLP, "--runs", "2")).getMessage());
        assertEquals("--runs mode : fast (expected: one of [sync, local-sgd, async])",
                assertThrows(IllegalArgumentException.class, () -> options("--config", MLP, "--runs", "2:fast"))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> options("--config", MLP, "--mllib", "50,20"))
                .getMessage().startsWith("--mllib [50, 20] (expected: ascending"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> options("--config", "/no/such.yaml"))
                .getMessage().startsWith("--config /no/such.yaml (expected: an existing job file"));
    }

    @Test
    void mllibMirrorsAnMlpAndRefusesConvolutions() throws IOException {
        ScalingBench.Options mlp = options("--config", MLP);
        assertArrayEquals(new int[] {784, 256, 128, 10}, ScalingBench.layerSizes(mlp.jobConfig(2, "sync").model()));
        ScalingBench.Options lenet = options("--model", "lenet", "--config", LENET);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ScalingBench.layerSizes(lenet.jobConfig(2, "sync").model())).getMessage()
                .startsWith("--mllib with a conv2d layer"));
    }

    private static EpochReport report(int epoch, double accuracy, double elapsed) {
        // 60,000 samples in 2 s of training and 0.5 s of evaluation; per worker-sum 1.0 s compute,
        // 2.0 s comm of which 0.6 s waiting; the slowest task 1.6 s inside a 2 s stage.
        return new EpochReport(epoch, 3, 0.1, accuracy, 0.2, 60_000, 2.0, 0.5, 1.0, 2.0, 1000, 0.6, 0.05, 1.6, elapsed);
    }

    @Test
    void laminaFiguresSplitTheEpochPerWorkerAndTimeToAccuracyIsTheFirstEpochReachingIt() throws IOException {
        JobConfig c = options("--config", MLP).jobConfig(2, "sync");
        List<EpochReport> reports = List.of(report(1, 0.951, 4.0), report(2, 0.969, 6.5), report(3, 0.975, 9.0));
        ScalingResult r = LaminaScalingRun.result(c, "mlp", reports, 12.5, Map.of("test_accuracy", 0.975));
        assertEquals(ScalingResult.KEYS, List.copyOf(r.values().keySet()).subList(0, ScalingResult.KEYS.size()));
        assertEquals(30_000, r.number("samples_per_second"), 1e-9);
        assertEquals(2.5, r.number("epoch_seconds"), 1e-12);
        assertEquals(0.5, r.number("compute_seconds"), 1e-12);
        assertEquals(0.7, r.number("comm_seconds"), 1e-12);
        assertEquals(0.3, r.number("wait_seconds"), 1e-12);
        assertEquals(0.4 + 0.5, r.number("fixed_seconds"), 1e-12);
        assertEquals(4.0, r.number("time_to_95_seconds"));
        assertEquals(9.0, r.number("time_to_97_seconds"));
        assertEquals(2.0, r.number("time_to_95_train_seconds"));
        assertEquals(6.0, r.number("time_to_97_train_seconds"));
        assertEquals(12.5, r.number("setup_seconds"));
        assertEquals(r.json(), ScalingResult.parse(ScalingResult.MARKER + r.json()).json());
    }

    @Test
    void theSteadyFiguresLeaveOutTheFirstThirdOfTheEpochs() throws IOException {
        assertEquals(0, LaminaScalingRun.warmUpEpochs(1));
        assertEquals(1, LaminaScalingRun.warmUpEpochs(2));
        assertEquals(1, LaminaScalingRun.warmUpEpochs(3));
        assertEquals(1, LaminaScalingRun.warmUpEpochs(5));
        assertEquals(2, LaminaScalingRun.warmUpEpochs(6));
        assertEquals(3, LaminaScalingRun.warmUpEpochs(10));
        JobConfig c = options("--config", MLP).jobConfig(2, "sync");
        // Six epochs: the first two (60,000 samples in 6 s of training each) are left out.
        List<EpochReport> reports = new java.util.ArrayList<>();
        for (int e = 1; e <= 6; e++) {
            double train = e <= 2 ? 6.0 : 2.0;
            reports.add(new EpochReport(e, 6, 0.1, 0.9 + e / 100.0, 0.2, 60_000, train, 0.5, 1.0, 2.0, 1000, 0.6, 0.05,
                    1.6, 3.0 * e));
        }
        ScalingResult r = LaminaScalingRun.result(c, "mlp", reports, 1.0, Map.of("test_accuracy", 0.96));
        assertEquals(30_000, r.number("samples_per_second"), 1e-9);
        assertEquals(2, r.number("warm_up_epochs"));
        assertEquals(6.5, r.number("first_epoch_seconds"), 1e-12);
        assertEquals(15.0, r.number("time_to_95_seconds"), "epoch 5 reached 0.95, whichever epochs are steady");
    }

    @Test
    void repeatsAlternateTheOrderAndTheRatioIsOfTheMeans() throws IOException {
        ScalingBench.Options o = options("--config", MLP, "--runs", "1:sync,2:sync", "--repeats", "3", "--mllib", "10");
        assertEquals(List.of("lamina:1:sync", "lamina:2:sync", "lamina:2:sync", "lamina:1:sync", "lamina:1:sync",
                "lamina:2:sync", "mllib"), ScalingBench.children(o));
        assertEquals(List.of("lamina:1:sync", "lamina:2:sync"),
                ScalingBench.children(options("--config", MLP, "--runs", "1:sync,2:sync", "--mllib", "off")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> options("--config", MLP, "--repeats", "0"))
                .getMessage().contains("--repeats 0"));
        List<ScalingResult> results = List.of(run(1, "sync", 100), run(2, "sync", 150), run(2, "sync", 190),
                run(1, "sync", 110), run(1, "local-sgd", 100), run(2, "local-sgd", 180),
                run("mllib", 2, "L-BFGS", 1));
        assertEquals(List.of("sync: 2 workers / 1 = 170 / 105 samples/s = 1.62x (each repeat: 1.50x, 1.73x)",
                "local-sgd: 2 workers / 1 = 180 / 100 samples/s = 1.80x"), ScalingBench.ratios(results));
    }

    private static ScalingResult run(int workers, String mode, double samplesPerSecond) {
        return run("lamina", workers, mode, samplesPerSecond);
    }

    private static ScalingResult run(String framework, int workers, String mode, double samplesPerSecond) {
        Map<String, Object> m = ScalingResult.start(framework, "mlp", workers, mode);
        m.put("samples_per_second", samplesPerSecond);
        return new ScalingResult(m);
    }

    @Test
    void anAccuracyNeverReachedIsNull() {
        assertNull(ScalingResult.timeTo(List.of(new double[] {0.9, 1}, new double[] {0.96, 2}), 0.97));
        assertEquals(2.0, ScalingResult.timeTo(List.of(new double[] {0.9, 1}, new double[] {0.96, 2}), 0.95));
    }
}
