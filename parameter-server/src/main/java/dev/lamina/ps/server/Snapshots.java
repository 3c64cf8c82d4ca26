package dev.lamina.ps.server;

import dev.lamina.engine.optim.Optimizer;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.JobState;
import java.util.ArrayList;
import java.util.List;

/** Converts an aggregator's state to and from a {@link Checkpoint}; callers hold the aggregator's lock. */
final class Snapshots {
    private Snapshots() {
    }

    /** Copies the parameters, optimizer state and progress records (the caller holds the lock). */
    static Checkpoint take(long step, float[] parameters, Optimizer optimizer, Progress[] progress) {
        float[][] live = optimizer.state();
        float[][] state = new float[live.length][];
        for (int i = 0; i < live.length; i++) {
            state[i] = live[i].clone();
        }
        List<Checkpoint.WorkerRecord> workers = new ArrayList<>(progress.length);
        for (Progress p : progress) {
            workers.add(new Checkpoint.WorkerRecord(p.epoch(), p.sequence(), p.dataOffset()));
        }
        return new Checkpoint(step, parameters.clone(), optimizer.config().type(), optimizer.steps(), state,
                workers, JobState.NONE);
    }

    /** The progress records of {@code checkpoint}, after checking there is one per worker. */
    static Progress[] progress(Checkpoint checkpoint, int workers) {
        if (checkpoint.workers().size() != workers) {
            throw new IllegalArgumentException("checkpoint workers : " + checkpoint.workers().size()
                    + " (expected: " + workers + ", the server's worker count)");
        }
        Progress[] progress = new Progress[workers];
        for (int w = 0; w < workers; w++) {
            Checkpoint.WorkerRecord r = checkpoint.workers().get(w);
            progress[w] = new Progress(r.epoch(), r.sequence(), r.dataOffset());
        }
        return progress;
    }
}
