package dev.lamina.jobs;

import java.util.Map;

/**
 * How a retrain run ended, and the exit status a scheduler acts on.
 *
 * @param outcome  promoted, kept, blocked (drift), bad-data or locked
 * @param exitCode the process's exit status (see the constants)
 * @param summary  the decision summary (also in the registry for promoted, kept and blocked)
 */
public record RetrainOutcome(String outcome, int exitCode, Map<String, Object> summary) {
    /** The challenger became champion. */
    public static final int PROMOTED = 0;
    /** The champion stays (the challenger is registered, not promoted). */
    public static final int KEPT = 0;
    /** Any other failure (no decision written). */
    public static final int FAILED = Jobs.FAILED;
    /** Bad arguments or job file. */
    public static final int BAD_INPUT = Jobs.BAD_INPUT;
    /** The new data drifted past the blocking threshold: not promoted (rerun with --force to promote). */
    public static final int DRIFT_BLOCKED = 3;
    /** The new data has bad rows or columns: nothing trained, nothing written. */
    public static final int BAD_DATA = 4;
    /** Another run holds the registry lock: nothing written; try again later (EX_TEMPFAIL). */
    public static final int LOCKED = 75;

    public RetrainOutcome {
        summary = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(summary));
    }

    /** The exit status of a decided run's outcome (promoted, kept, blocked). */
    static int exitCode(String outcome) {
        return switch (outcome) {
            case "promoted" -> PROMOTED;
            case "kept" -> KEPT;
            case "blocked" -> DRIFT_BLOCKED;
            default -> throw new IllegalArgumentException("outcome : " + outcome + " (expected: promoted, kept or blocked)");
        };
    }
}
