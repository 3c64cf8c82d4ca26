package dev.lamina.driver.registry;

/**
 * When a feature (or the label) counts as drifted: at or above a warning threshold the drift is
 * reported; at or above a blocking threshold the challenger is not promoted unless forced. A column's
 * level is the higher of its PSI's and its KS statistic's (the label's with classes: its PSI's).
 *
 * @param psiWarn  PSI that warns, > 0
 * @param psiBlock PSI that blocks, >= psiWarn
 * @param ksWarn   KS statistic that warns, in (0, 1]
 * @param ksBlock  KS statistic that blocks, in [ksWarn, 1]
 */
public record DriftThresholds(double psiWarn, double psiBlock, double ksWarn, double ksBlock) {

    public DriftThresholds {
        if (!(psiWarn > 0) || !(psiBlock >= psiWarn) || Double.isInfinite(psiBlock)) {
            throw new IllegalArgumentException("retrain.drift.psiWarn, psiBlock : " + psiWarn + ", " + psiBlock
                    + " (expected: 0 < psiWarn <= psiBlock, finite)");
        }
        if (!(ksWarn > 0 && ksWarn <= 1) || !(ksBlock >= ksWarn && ksBlock <= 1)) {
            throw new IllegalArgumentException("retrain.drift.ksWarn, ksBlock : " + ksWarn + ", " + ksBlock
                    + " (expected: 0 < ksWarn <= ksBlock <= 1)");
        }
    }

    /** PSI 0.1 / 0.25 (the usual "moderate" and "large" shift) and KS 0.1 / 0.2. */
    public static DriftThresholds defaults() {
        return new DriftThresholds(0.1, 0.25, 0.1, 0.2);
    }

    /** How far {@code psi} and {@code ks} (NaN: not used) are beyond the thresholds. */
    public DriftReport.Level level(double psi, double ks) {
        if (psi >= psiBlock || ks >= ksBlock) {
            return DriftReport.Level.BLOCK;
        }
        if (psi >= psiWarn || ks >= ksWarn) {
            return DriftReport.Level.WARN;
        }
        return DriftReport.Level.OK;
    }
}
