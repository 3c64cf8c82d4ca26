package dev.lamina.driver.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a retrain run with a given run id must do, so that the same id never makes a second version:
 * a run whose record exists is replayed (its decision printed, nothing written); a run that committed
 * its version but died before its record is finished from that version's stored decision (the pointer
 * moved if it promoted and has not moved yet, then the record written); any other run starts afresh.
 *
 * @param kind    what to do
 * @param record  the run's record, for {@link Kind#REPLAY}
 * @param version the run's version, for {@link Kind#FINISH}
 */
public record RunPlan(Kind kind, Optional<Map<String, Object>> record, Optional<RegistryVersion> version) {

    /** The three cases. */
    public enum Kind { FRESH, REPLAY, FINISH }

    /** The plan for {@code runId} given its record (if any) and the registry's versions. */
    public static RunPlan of(String runId, Optional<Map<String, Object>> record, List<RegistryVersion> versions) {
        if (record.isPresent()) {
            return new RunPlan(Kind.REPLAY, record, Optional.empty());
        }
        List<RegistryVersion> made = versions.stream().filter(v -> v.runId().equals(runId)).toList();
        if (made.size() > 1) {
            throw new IllegalStateException("run " + runId + " made versions " + made.stream().map(RegistryVersion::version)
                    .toList() + " (expected: at most one; the registry was written without its lock)");
        }
        return made.isEmpty() ? new RunPlan(Kind.FRESH, Optional.empty(), Optional.empty())
                : new RunPlan(Kind.FINISH, Optional.empty(), Optional.of(made.get(0)));
    }

    /**
     * For {@link Kind#FINISH}: whether the pointer must still be moved to the run's version: it promoted,
     * and no pointer entry carries its run id.
     */
    public static boolean pointerPending(RegistryVersion version, List<ChampionPointer.Entry> history) {
        return version.outcome().equals("promoted")
                && history.stream().noneMatch(e -> e.runId().equals(version.runId()) && e.version() == version.version());
    }
}
