package dev.lamina.ps.checkpoint;

import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.protocol.ShardRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Converts between one checkpoint of the whole parameter vector and one per shard. A sharded job writes
 * the same single checkpoint file an embedded one does (the driver merges the shards' snapshots), so a
 * checkpoint restores into any number of shards, one included. Merging needs the shards to agree on
 * everything that is not per-parameter: server step, optimizer type and step count, each worker's
 * exactly-once record. They do between steps, since every push goes to every shard.
 */
public final class ShardedCheckpoints {
    private ShardedCheckpoints() {
    }

    /**
     * The state of a job that has not taken a step: {@code initial} (copied), a fresh {@code optimizer}'s
     * zeroed state, no worker's push applied. Restoring it is the same as starting from {@code initial}.
     */
    public static Checkpoint fresh(float[] initial, OptimizerConfig optimizer, int workers) {
        if (workers <= 0) {
            throw new IllegalArgumentException("workers : " + workers + " (expected: > 0)");
        }
        int k = optimizer.create(1).state().length;
        List<Checkpoint.WorkerRecord> none = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            none.add(new Checkpoint.WorkerRecord(-1, -1, 0));
        }
        return new Checkpoint(0, initial.clone(), optimizer.type(), 0, new float[k][initial.length], none,
                JobState.NONE);
    }

    /** {@code whole}'s parameters and optimizer state cut into {@code ranges} (which must cover it exactly). */
    public static List<Checkpoint> split(Checkpoint whole, List<ShardRange> ranges) {
        Objects.requireNonNull(whole, "whole");
        checkCover(ranges, whole.parameters().length);
        List<Checkpoint> parts = new ArrayList<>(ranges.size());
        for (ShardRange r : ranges) {
            float[][] state = new float[whole.optimizerState().length][];
            for (int i = 0; i < state.length; i++) {
                state[i] = Arrays.copyOfRange(whole.optimizerState()[i], r.offset(), r.end());
            }
            parts.add(new Checkpoint(whole.step(), Arrays.copyOfRange(whole.parameters(), r.offset(), r.end()),
                    whole.optimizerType(), whole.optimizerSteps(), state, whole.workers(), whole.job()));
        }
        return List.copyOf(parts);
    }

    /**
     * One checkpoint from the shards' snapshots, {@code parts.get(i)} holding {@code ranges.get(i)}, with
     * {@code job} as the driver's part.
     *
     * @throws IllegalArgumentException if a part's size does not match its range, or the parts disagree on
     *                                  the step, the optimizer type or step count, the state buffers or a
     *                                  worker's record (naming the shard and both values)
     */
    public static Checkpoint merge(List<Checkpoint> parts, List<ShardRange> ranges, JobState job) {
        Objects.requireNonNull(job, "job");
        if (parts.size() != ranges.size() || parts.isEmpty()) {
            throw new IllegalArgumentException("shard snapshots : " + parts.size() + " (expected: " + ranges.size()
                    + ", one per shard range, > 0)");
        }
        int total = ranges.get(ranges.size() - 1).end();
        checkCover(ranges, total);
        Checkpoint first = parts.get(0);
        float[] parameters = new float[total];
        float[][] state = new float[first.optimizerState().length][total];
        for (int s = 0; s < parts.size(); s++) {
            Checkpoint p = parts.get(s);
            ShardRange r = ranges.get(s);
            if (p.parameters().length != r.count()) {
                throw new IllegalArgumentException("shard " + s + " snapshot parameters : " + p.parameters().length
                        + " (expected: " + r.count() + ", its range " + r + ")");
            }
            agree(s, "step", p.step(), first.step());
            agree(s, "optimizer type", p.optimizerType(), first.optimizerType());
            agree(s, "optimizer steps", p.optimizerSteps(), first.optimizerSteps());
            agree(s, "optimizer state buffers", p.optimizerState().length, first.optimizerState().length);
            agree(s, "worker records", p.workers(), first.workers());
            System.arraycopy(p.parameters(), 0, parameters, r.offset(), r.count());
            for (int i = 0; i < state.length; i++) {
                System.arraycopy(p.optimizerState()[i], 0, state[i], r.offset(), r.count());
            }
        }
        return new Checkpoint(first.step(), parameters, first.optimizerType(), first.optimizerSteps(), state,
                first.workers(), job);
    }

    private static void agree(int shard, String what, Object value, Object shard0) {
        if (!value.equals(shard0)) {
            throw new IllegalArgumentException("shard " + shard + " snapshot " + what + " : " + value
                    + " (expected: " + shard0 + ", as shard 0; snapshots must be taken between steps)");
        }
    }

    private static void checkCover(List<ShardRange> ranges, int total) {
        int next = 0;
        for (ShardRange r : ranges) {
            if (r.offset() != next) {
                throw new IllegalArgumentException("shard ranges : " + ranges + " (expected: contiguous from 0)");
            }
            next = r.end();
        }
        if (next != total || ranges.isEmpty()) {
            throw new IllegalArgumentException("shard ranges : " + ranges + " cover " + next + " parameters (expected: "
                    + total + ")");
        }
    }
}
