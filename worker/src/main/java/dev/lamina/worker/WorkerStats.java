package dev.lamina.worker;

import java.io.Serializable;

/**
 * What one worker did in one epoch. Stats merge like an aggregator: counts and the per-worker times
 * (compute, comm, wait) add up, while the times every worker shares (the server's apply time, the
 * task's wall time) keep the largest.
 *
 * @param samples       samples trained on
 * @param steps         optimizer steps taken
 * @param lossSum       sum over steps of the mean batch loss
 * @param computeNanos  time in forward/backward (and, in local-sgd, the local optimizer)
 * @param commNanos     time pushing updates and pulling parameters, waiting for peers included
 * @param bytesSent     bytes sent to the parameter server
 * @param bytesReceived bytes received from it
 * @param waitNanos     the part of {@code commNanos} this worker's pushes waited at the server for the
 *                      other workers' (measured by the server: from the push's arrival to the step's last)
 * @param applyNanos    server time applying the updates of this epoch (averaging, optimizer, encoding),
 *                      the same for every worker of the epoch; merged as the largest
 * @param taskNanos     wall time of the worker's epoch from connecting to the server to its last reply;
 *                      merged as the largest (the slowest worker)
 * @param worker        the worker these are of, or -1 for a merge of several (or an unknown worker)
 */
public record WorkerStats(long samples, long steps, double lossSum, long computeNanos, long commNanos,
                          long bytesSent, long bytesReceived, long waitNanos, long applyNanos, long taskNanos,
                          int worker) implements Serializable {

    /** Of no particular worker. */
    public WorkerStats(long samples, long steps, double lossSum, long computeNanos, long commNanos, long bytesSent,
                       long bytesReceived, long waitNanos, long applyNanos, long taskNanos) {
        this(samples, steps, lossSum, computeNanos, commNanos, bytesSent, bytesReceived, waitNanos, applyNanos,
                taskNanos, -1);
    }

    /** Without the server's timing (waiting and apply time unknown, 0). */
    public WorkerStats(long samples, long steps, double lossSum, long computeNanos, long commNanos, long bytesSent,
                       long bytesReceived) {
        this(samples, steps, lossSum, computeNanos, commNanos, bytesSent, bytesReceived, 0, 0, 0);
    }

    public static WorkerStats empty() {
        return new WorkerStats(0, 0, 0, 0, 0, 0, 0);
    }

    public WorkerStats merge(WorkerStats o) {
        return new WorkerStats(samples + o.samples, steps + o.steps, lossSum + o.lossSum, computeNanos + o.computeNanos,
                commNanos + o.commNanos, bytesSent + o.bytesSent, bytesReceived + o.bytesReceived,
                waitNanos + o.waitNanos, Math.max(applyNanos, o.applyNanos), Math.max(taskNanos, o.taskNanos), -1);
    }

    /** These stats as worker {@code id}'s. */
    public WorkerStats ofWorker(int id) {
        return new WorkerStats(samples, steps, lossSum, computeNanos, commNanos, bytesSent, bytesReceived, waitNanos,
                applyNanos, taskNanos, id);
    }

    /** The mean batch loss over the steps. */
    public double meanLoss() {
        return steps == 0 ? Double.NaN : lossSum / steps;
    }
}
