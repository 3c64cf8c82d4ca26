package dev.lamina.jobs.plan;

import java.util.List;
import java.util.Map;

/**
 * Predicts a data-parallel step from a {@link Calibration} (what one worker's compute and one
 * parameter-server round trip cost on the measured machine) for a {@link Cluster} of N workers and S
 * shards on links of a given bandwidth and latency. Pure arithmetic; every term is one line below.
 *
 * <p>One exchange (a synchronous step, or a local-sgd round after H local steps): a worker encodes its
 * push, the push crosses its link and the server's, the server decodes all N pushes of its range,
 * averages and applies them, and the new parameters go back to every worker. Per exchange:
 * <pre>
 *   exchange = 2 * latency + roundTrip                      (two one-way trips + the software round trip)
 *            + encode + push * clientCost + pull * clientCost        (the worker's own per-byte work)
 *            + (N / S) * (decode + (push + pull) * serverCost)       (a shard serves N workers' bytes)
 *            + apply(N) / S                                          (averaging and the optimizer, per range)
 *            + push * max(1, N / S) / B + pull * max(1, N / S) / B   (the busier of a worker's and a shard's link)
 * </pre>
 * and the straggler term: waiting for the slowest of N workers whose compute per step varies with
 * standard deviation sigma, about {@code sigma * sqrt(H) * sqrt(2 ln N)} per exchange (the expected
 * maximum of N normal deviations). A step is {@code compute (+ the local optimizer in local-sgd) +
 * (exchange + wait) / H}, with H = 1 except in local-sgd; async has no waiting and H = 1. Compute and its
 * spread are the calibration's for N workers ({@link Calibration#computeSeconds(int)}): a worker alone on
 * its host computes faster than one of a full host's workers. Spark's per-epoch
 * stage launch, when given, adds {@code stageOverhead / stepsPerEpoch}. The scaling efficiency is samples/s
 * over N times one worker's compute-only samples/s (that worker alone on its host, so the cores' sharing
 * counts against it).
 */
public final class CostModel {
    /** Modes the model knows. */
    public static final List<String> MODES = List.of("sync", "local-sgd", "async");

    private CostModel() {
    }

    /**
     * Where the machines are.
     *
     * @param workers         N, >= 1
     * @param shards          S, >= 1
     * @param bytesPerSecond  each host's link, bytes/s; infinite = no link limit (the calibration's loopback)
     * @param latencySeconds  one-way latency between a worker and a shard, >= 0
     * @param stageOverhead   seconds of Spark stage launch per epoch (0 outside Spark)
     * @param stepsPerEpoch   steps per worker per epoch (amortizes the stage overhead), >= 1
     */
    public record Cluster(int workers, int shards, double bytesPerSecond, double latencySeconds, double stageOverhead,
                          int stepsPerEpoch) {
        public Cluster {
            if (workers < 1 || shards < 1 || stepsPerEpoch < 1) {
                throw new IllegalArgumentException("workers : " + workers + ", shards : " + shards + ", stepsPerEpoch : "
                        + stepsPerEpoch + " (expected: >= 1 each)");
            }
            if (!(bytesPerSecond > 0) || !(latencySeconds >= 0) || !(stageOverhead >= 0)) {
                throw new IllegalArgumentException("bytesPerSecond : " + bytesPerSecond + ", latencySeconds : "
                        + latencySeconds + ", stageOverhead : " + stageOverhead + " (expected: > 0, >= 0, >= 0)");
            }
        }

        public Cluster withWorkers(int n) {
            return new Cluster(n, shards, bytesPerSecond, latencySeconds, stageOverhead, stepsPerEpoch);
        }
    }

    /**
     * One predicted configuration.
     *
     * @param mode          sync, local-sgd or async
     * @param compression   the push codec
     * @param stepSeconds   one worker step, everything included
     * @param computeSeconds forward, backward (and local optimizer) per step
     * @param commSeconds   the exchange per step (divided by H in local-sgd)
     * @param waitSeconds   waiting for the slowest worker per step
     * @param samplesPerSecond all workers together
     * @param efficiency    samples/s over N times one worker's compute-only samples/s
     */
    public record Prediction(String mode, String compression, int workers, double stepSeconds, double computeSeconds,
                             double commSeconds, double waitSeconds, double samplesPerSecond, double efficiency) {

        public Map<String, Object> toMap() {
            return Map.of("mode", mode, "compression", compression, "workers", workers, "step_seconds", stepSeconds,
                    "compute_seconds", computeSeconds, "comm_seconds", commSeconds, "wait_seconds", waitSeconds,
                    "samples_per_second", samplesPerSecond, "efficiency", efficiency);
        }
    }

    /** The exchange's seconds, without waiting, for {@code codec} (see the class comment). */
    static double exchangeSeconds(Calibration c, Calibration.Codec codec, Cluster k) {
        double n = k.workers();
        double perShard = n / k.shards();
        double push = codec.pushBytes();
        double pull = c.pullBytes();
        double links = Math.max(1, perShard) / k.bytesPerSecond();
        return 2 * k.latencySeconds() + c.roundTripSeconds()
                + codec.encodeSeconds() + (push + pull) * c.clientSecondsPerByte()
                + perShard * (codec.decodeSeconds() + (push + pull) * c.serverSecondsPerByte())
                + c.applySeconds(k.workers()) / k.shards()
                + (push + pull) * links;
    }

    /** The expected wait for the slowest of N workers per exchange of H steps. */
    static double waitSeconds(Calibration c, int workers, int localSteps) {
        return workers < 2 ? 0 : c.computeStdSeconds(workers) * Math.sqrt(localSteps) * Math.sqrt(2 * Math.log(workers));
    }

    /** Predicts {@code mode} with {@code compression} ({@code syncEvery} local steps in local-sgd). */
    public static Prediction predict(Calibration c, Cluster k, String mode, String compression, int syncEvery) {
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("mode : " + mode + " (expected: one of " + MODES + ")");
        }
        if (syncEvery < 1) {
            throw new IllegalArgumentException("syncEvery : " + syncEvery + " (expected: >= 1)");
        }
        Calibration.Codec codec = c.codec(compression);
        int h = mode.equals("local-sgd") ? syncEvery : 1;
        double compute = c.computeSeconds(k.workers()) + (mode.equals("local-sgd") ? c.localOptimizerSeconds() : 0);
        double comm = exchangeSeconds(c, codec, k) / h;
        double wait = mode.equals("async") ? 0 : waitSeconds(c, k.workers(), h) / h;
        double step = compute + comm + wait + k.stageOverhead() / k.stepsPerEpoch();
        double samples = k.workers() * c.batch() / step;
        double ideal = k.workers() * c.batch() / c.computeSeconds();
        return new Prediction(mode, compression, k.workers(), step, compute, comm, wait, samples, samples / ideal);
    }
}
