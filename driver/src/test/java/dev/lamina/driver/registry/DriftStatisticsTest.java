package dev.lamina.driver.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** PSI and KS against values worked out by hand (in the comments), and the report built on them. */
class DriftStatisticsTest {

    @Test
    void psiAndKsOfTwoBins() {
        // shares 0.5/0.5 vs 0.25/0.75: PSI = (0.25-0.5) ln(0.25/0.5) + (0.75-0.5) ln(0.75/0.5)
        //                                  = 0.25 ln 2 + 0.25 ln 1.5 = 0.173287 + 0.101366 = 0.274653
        assertEquals(0.274653, DriftStatistics.psi(new long[] {50, 50}, new long[] {25, 75}), 1e-6);
        // cumulative shares 0.5 vs 0.25 after the first bin
        assertEquals(0.25, DriftStatistics.ks(new long[] {50, 50}, new long[] {25, 75}), 1e-12);
    }

    @Test
    void psiAndKsOfThreeBinsWithDifferentTotals() {
        // 0.2/0.3/0.5 vs 0.3/0.3/0.4 (300 rows): 0.1 ln 1.5 + 0 + (-0.1) ln 0.8 = 0.040547 + 0.022314 = 0.062861
        long[] e = {20, 30, 50};
        long[] a = {90, 90, 120};
        assertEquals(0.062861, DriftStatistics.psi(e, a), 1e-6);
        // cumulative 0.2, 0.5, 1 vs 0.3, 0.6, 1
        assertEquals(0.1, DriftStatistics.ks(e, a), 1e-12);
    }

    @Test
    void anEmptyBinCountsAsTheSmallShare() {
        // 1/0 vs 0.9/0.1, the empty share taken as 1e-4:
        // (0.9-1) ln 0.9 + (0.1-1e-4) ln(0.1/1e-4) = 0.0105361 + 0.0999 * 6.9077553 = 0.7006209
        assertEquals(0.7006209, DriftStatistics.psi(new long[] {100, 0}, new long[] {90, 10}), 1e-6);
        assertEquals(0.1, DriftStatistics.ks(new long[] {100, 0}, new long[] {90, 10}), 1e-12);
        assertEquals(0, DriftStatistics.psi(new long[] {7, 0, 3}, new long[] {70, 0, 30}), 1e-12);
        assertEquals(0, DriftStatistics.ks(new long[] {7, 0, 3}, new long[] {70, 0, 30}), 1e-12);
    }

    @Test
    void mismatchedOrEmptyHistogramsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DriftStatistics.psi(new long[] {1, 2}, new long[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> DriftStatistics.ks(new long[] {0, 0}, new long[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> DriftStatistics.psi(new long[] {1, -1}, new long[] {1, 2}));
    }

    @Test
    void binningClampsToTheEndsAndWidensAConstantColumn() {
        assertEquals(0, ColumnProfile.bin(-3, 0, 1, 10));
        assertEquals(0, ColumnProfile.bin(0.05, 0, 1, 10));
        assertEquals(5, ColumnProfile.bin(0.5, 0, 1, 10));
        assertEquals(9, ColumnProfile.bin(1.0, 0, 1, 10));
        assertEquals(9, ColumnProfile.bin(7, 0, 1, 10));
        assertEquals(0, ColumnProfile.bin(Double.NaN, 0, 1, 10));
        double[] r = ColumnProfile.range(0, 0);
        assertEquals(-0.5, r[0]);
        assertEquals(0.5, r[1]);
        assertEquals(10, ColumnProfile.bin(0, r[0], r[1], 20), "the constant value sits mid-range");
        assertEquals(19, ColumnProfile.bin(1, r[0], r[1], 20), "an inverted black pixel lands at the top");
    }

    private static ColumnProfile column(String name, long... counts) {
        return new ColumnProfile(name, 0, 1, 0, 1, 0, 1, counts);
    }

    @Test
    void theReportNamesTheDriftedFeaturesWorstFirstAndStaysBounded() {
        DataProfile ref = new DataProfile(100, List.of(column("a", 50, 50), column("b", 50, 50), column("c", 50, 50)),
                column("label", 50, 50), 2);
        DataProfile now = new DataProfile(100, List.of(column("a", 50, 50), column("b", 25, 75), column("c", 45, 55)),
                column("label", 48, 52), 2);
        DriftReport r = DriftReport.compare(ref, now, DriftThresholds.defaults());
        assertEquals(DriftReport.Level.BLOCK, r.features().get(1).level(), "PSI 0.2747 >= 0.25 and KS 0.25 >= 0.2");
        assertEquals(DriftReport.Level.OK, r.features().get(2).level(), "PSI 0.01, KS 0.05");
        assertEquals(DriftReport.Level.BLOCK, r.level());
        assertEquals(List.of("b"), r.worst(10).stream().map(DriftReport.Column::name).toList());
        assertEquals(1L, r.summary(5).get("featuresBlocking"));
        assertEquals(Double.NaN, r.label().ks(), "no KS over class indices");
        assertEquals(DriftReport.Level.OK, r.label().level());
        String text = r.describe(1);
        assertEquals(true, text.contains("1 of 3 features at the blocking threshold") && text.contains("b "), text);
    }

    @Test
    void thresholdsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DriftThresholds(0.3, 0.2, 0.1, 0.2));
        assertEquals("retrain.drift.psiWarn, psiBlock : 0.3, 0.2 (expected: 0 < psiWarn <= psiBlock, finite)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DriftThresholds(0.1, 0.2, 0.1, 1.5));
        assertEquals(DriftReport.Level.WARN, DriftThresholds.defaults().level(0.12, 0.01));
        assertEquals(DriftReport.Level.WARN, DriftThresholds.defaults().level(0.01, 0.15));
        assertEquals(DriftReport.Level.BLOCK, DriftThresholds.defaults().level(0.01, 0.2));
        assertEquals(DriftReport.Level.OK, DriftThresholds.defaults().level(0.05, Double.NaN));
    }
}
