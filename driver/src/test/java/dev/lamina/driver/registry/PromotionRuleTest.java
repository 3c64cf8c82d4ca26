package dev.lamina.driver.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.driver.registry.DriftReport.Level;
import dev.lamina.driver.registry.PromotionRule.Outcome;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PromotionRuleTest {
    private static final PromotionRule ACCURACY = new PromotionRule("accuracy", 0.005);
    private static final PromotionRule LOSS = new PromotionRule("loss", 0.01);

    @Test
    void theFirstVersionIsPromoted() {
        assertEquals(Outcome.PROMOTED, ACCURACY.decide(OptionalDouble.empty(), 0.1, Level.OK, false).outcome());
    }

    @Test
    void theChallengerMustBeatTheChampionByMoreThanTheMargin() {
        assertEquals(Outcome.PROMOTED, ACCURACY.decide(OptionalDouble.of(0.90), 0.906, Level.OK, false).outcome());
        assertEquals(Outcome.KEPT, ACCURACY.decide(OptionalDouble.of(0.90), 0.905, Level.OK, false).outcome(),
                "better by exactly the margin is not enough");
        PromotionRule.Decision worse = ACCURACY.decide(OptionalDouble.of(0.90), 0.80, Level.WARN, false);
        assertEquals(Outcome.KEPT, worse.outcome());
        assertTrue(worse.reason().contains("worse by 0.1000") && worse.reason().contains("0.8000 vs champion 0.9000"),
                worse.reason());
    }

    @Test
    void lowerIsBetterForLosses() {
        assertEquals(Outcome.PROMOTED, LOSS.decide(OptionalDouble.of(0.50), 0.45, Level.OK, false).outcome());
        assertEquals(Outcome.KEPT, LOSS.decide(OptionalDouble.of(0.50), 0.495, Level.OK, false).outcome());
        assertEquals("test_loss", LOSS.key());
    }

    @Test
    void blockingDriftRefusesUnlessForcedAndForcingNeverOverridesTheMetric() {
        PromotionRule.Decision blocked = ACCURACY.decide(OptionalDouble.of(0.90), 0.99, Level.BLOCK, false);
        assertEquals(Outcome.BLOCKED, blocked.outcome());
        assertTrue(blocked.reason().contains("--force"), blocked.reason());
        assertEquals(Outcome.BLOCKED, ACCURACY.decide(OptionalDouble.of(0.90), 0.10, Level.BLOCK, false).outcome());
        assertEquals(Outcome.PROMOTED, ACCURACY.decide(OptionalDouble.of(0.90), 0.99, Level.BLOCK, true).outcome());
        assertEquals(Outcome.KEPT, ACCURACY.decide(OptionalDouble.of(0.90), 0.10, Level.BLOCK, true).outcome());
        assertEquals(Outcome.PROMOTED, ACCURACY.decide(OptionalDouble.of(0.90), 0.99, Level.WARN, false).outcome(),
                "a warning does not block");
    }

    @Test
    void anIncomparableMetricKeepsTheChampion() {
        assertEquals(Outcome.KEPT, ACCURACY.decide(OptionalDouble.of(0.9), Double.NaN, Level.OK, false).outcome());
    }

    @Test
    void badRulesAreRefusedNamingTheKey() {
        assertEquals("retrain.metric : f2 (expected one of: accuracy, macro_f1, loss, mse, mae)",
                assertThrows(IllegalArgumentException.class, () -> new PromotionRule("f2", 0)).getMessage());
        assertEquals("retrain.margin : -0.1 (expected: >= 0, finite)",
                assertThrows(IllegalArgumentException.class, () -> new PromotionRule("loss", -0.1)).getMessage());
    }
}
