package dev.lamina.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The job file's retrain section: defaults, overrides, and errors named before Spark starts. */
class RetrainConfigTest {
    private static final Path MNIST_MLP = Path.of("..", "conf", "mnist-mlp.yaml");
    private final ConfigLoader loader = new ConfigLoader("/tmp/lamina-cache");

    private RetrainConfig retrain(String... overrides) throws Exception {
        return RetrainConfig.of(loader.load(MNIST_MLP, List.of(overrides)).source());
    }

    @Test
    void defaultsCompareAccuracyForAClassifierAndLossOtherwise() throws Exception {
        RetrainConfig d = retrain();
        assertEquals("test_accuracy", d.rule(true).key());
        assertEquals("test_loss", d.rule(false).key());
        assertEquals(0.0, d.margin());
        assertEquals(0.25, d.drift().psiBlock());
        assertEquals(20, d.bins());
    }

    @Test
    void overridesBind() throws Exception {
        RetrainConfig c = retrain("retrain.metric=macro_f1", "retrain.margin=0.01", "retrain.warmStart=false",
                "retrain.drift.psiBlock=0.5", "retrain.drift.ksWarn=0.05", "retrain.drift.bins=10",
                "retrain.lockMinutes=30");
        assertEquals("test_macro_f1", c.rule(true).key());
        assertEquals(0.01, c.rule(true).margin());
        assertEquals(false, c.warmStart());
        assertEquals(0.5, c.drift().psiBlock());
        assertEquals(0.05, c.drift().ksWarn());
        assertEquals(10, c.bins());
        assertEquals(30, c.lockMinutes());
    }

    @Test
    void mistakesAreNamedWhenTheJobFileLoads() {
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("retrain.margn=0.01")));
        assertTrue(typo.getMessage().contains("retrain.margn") && typo.getMessage().contains("margin"), typo.getMessage());
        assertEquals("retrain.metric : f1 (expected one of: accuracy, macro_f1, loss, mse, mae)",
                assertThrows(IllegalArgumentException.class, () -> loader.load(MNIST_MLP, List.of("retrain.metric=f1")))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> loader.load(MNIST_MLP,
                List.of("retrain.drift.psiWarn=0.5"))).getMessage().startsWith("retrain.drift.psiWarn, psiBlock : 0.5, 0.25"));
        assertEquals("retrain.lockMinutes : 0 (expected: >= 1)", assertThrows(IllegalArgumentException.class,
                () -> loader.load(MNIST_MLP, List.of("retrain.lockMinutes=0"))).getMessage());
    }

    @Test
    void decidedOutcomesMapToTheirExitStatuses() {
        assertEquals(0, RetrainOutcome.exitCode("promoted"));
        assertEquals(0, RetrainOutcome.exitCode("kept"));
        assertEquals(3, RetrainOutcome.exitCode("blocked"));
        assertThrows(IllegalArgumentException.class, () -> RetrainOutcome.exitCode("locked"));
    }
}
