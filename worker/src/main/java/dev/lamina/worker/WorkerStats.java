package dev.lamina.worker;

import java.io.Serializable;

/**
 * What one worker did in one epoch. Stats merge like an aggregator (sum of counts and times).
 *
 * @param samples       samples trained on
 * @param steps         optimizer steps taken
 * @param lossSum       sum over steps of the mean batch loss
 * @param computeNanos  time in forward/backward
 * @param commNanos     time pushing gradients and pulling parameters (includes waiting for peers)
 * @param bytesSent     bytes sent to the parameter server
 * @param bytesReceived bytes received from it
 */
public record WorkerStats(long samples, long steps, double lossSum, long computeNanos, long commNanos,
                          long bytesSent, long bytesReceived) implements Serializable {

    public static WorkerStats empty() {
        return new WorkerStats(0, 0, 0, 0, 0, 0, 0);
    }

    public WorkerStats merge(WorkerStats o) {
        return new WorkerStats(samples + o.samples, steps + o.steps, lossSum + o.lossSum, computeNanos + o.computeNanos,
                commNanos + o.commNanos, bytesSent + o.bytesSent, bytesReceived + o.bytesReceived);
    }

    /** The mean batch loss over the steps. */
    public double meanLoss() {
        return steps == 0 ? Double.NaN : lossSum / steps;
    }
}
