package dev.lamina.jobs.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one worker's step and one parameter-server round trip cost on the machine where they were
 * measured ({@link Calibrator}), the inputs of {@link CostModel}.
 *
 * @param parameters              the model's parameter count
 * @param batch                   samples per worker step
 * @param computeSeconds          forward and backward of one step, median, the machine otherwise idle
 * @param computeStdSeconds       its standard deviation from step to step
 * @param cores                   the measured machine's cores ({@code Runtime.availableProcessors})
 * @param sharedComputeSeconds    the same step while every core runs one (each core a worker, as Spark
 *                                runs one task per core): what shared caches, memory bandwidth and the
 *                                host's other tenants take from a worker
 * @param sharedComputeStdSeconds its standard deviation
 * @param localOptimizerSeconds   one optimizer step on the worker (local-sgd)
 * @param pullBytes               a pull reply's bytes (frame included)
 * @param roundTripSeconds        a tiny request's round trip to the server (software and loopback)
 * @param clientSecondsPerByte    the worker's own time per byte pushed or pulled (frame, CRC, socket)
 * @param serverSecondsPerByte    the server's time per byte it receives or sends
 * @param applySeconds1           averaging and applying one worker's update
 * @param applySecondsPerWorker   each further worker's share of the averaging
 * @param codecs                  by name: what a push costs with that codec
 */
public record Calibration(int parameters, int batch, double computeSeconds, double computeStdSeconds,
                          int cores, double sharedComputeSeconds, double sharedComputeStdSeconds,
                          double localOptimizerSeconds, double pullBytes, double roundTripSeconds,
                          double clientSecondsPerByte, double serverSecondsPerByte,
                          double applySeconds1, double applySecondsPerWorker, Map<String, Codec> codecs) {

    /**
     * One push codec's costs on this model's updates.
     *
     * @param pushBytes     a push's bytes, frame included
     * @param encodeSeconds the worker's encoding (with error feedback) beyond the per-byte costs
     * @param decodeSeconds the server's decoding beyond the per-byte costs
     */
    public record Codec(double pushBytes, double encodeSeconds, double decodeSeconds) {
        public Codec {
            if (!(pushBytes > 0) || !(encodeSeconds >= 0) || !(decodeSeconds >= 0)) {
                throw new IllegalArgumentException("codec pushBytes : " + pushBytes + ", encodeSeconds : " + encodeSeconds
                        + ", decodeSeconds : " + decodeSeconds + " (expected: > 0, >= 0, >= 0)");
            }
        }
    }

    public Calibration {
        if (parameters < 1 || batch < 1 || !(computeSeconds > 0) || cores < 1 || !(sharedComputeSeconds > 0)) {
            throw new IllegalArgumentException("parameters : " + parameters + ", batch : " + batch + ", computeSeconds : "
                    + computeSeconds + ", cores : " + cores + ", sharedComputeSeconds : " + sharedComputeSeconds
                    + " (expected: >= 1, >= 1, > 0, >= 1, > 0)");
        }
        for (double v : new double[] {computeStdSeconds, sharedComputeStdSeconds, localOptimizerSeconds, roundTripSeconds, clientSecondsPerByte,
                serverSecondsPerByte, applySeconds1, applySecondsPerWorker}) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("calibration time : " + v + " (expected: >= 0 and finite)");
            }
        }
        codecs = Map.copyOf(codecs);
    }

    /**
     * A calibration measured without the shared run: one core, so a worker's step is the same however many
     * workers there are.
     */
    public Calibration(int parameters, int batch, double computeSeconds, double computeStdSeconds,
                       double localOptimizerSeconds, double pullBytes, double roundTripSeconds,
                       double clientSecondsPerByte, double serverSecondsPerByte, double applySeconds1,
                       double applySecondsPerWorker, Map<String, Codec> codecs) {
        this(parameters, batch, computeSeconds, computeStdSeconds, 1, computeSeconds, computeStdSeconds,
                localOptimizerSeconds, pullBytes, roundTripSeconds, clientSecondsPerByte, serverSecondsPerByte,
                applySeconds1, applySecondsPerWorker, codecs);
    }

    /**
     * A worker's step when {@code workers} workers run on hosts like the measured one: alone for one
     * worker; once the workers fill a host's cores, the shared figure; between, linear in the busy cores.
     */
    public double computeSeconds(int workers) {
        return between(computeSeconds, sharedComputeSeconds, workers);
    }

    /** The step's standard deviation with {@code workers} workers, as {@link #computeSeconds(int)}. */
    public double computeStdSeconds(int workers) {
        return between(computeStdSeconds, sharedComputeStdSeconds, workers);
    }

    private double between(double alone, double shared, int workers) {
        if (workers <= 1 || cores == 1) {
            return alone;
        }
        if (workers >= cores) {
            return shared;
        }
        return alone + (shared - alone) * (workers - 1) / (cores - 1);
    }

    /**
     * This calibration with a worker's step set to {@code seconds} however many workers share a host (its
     * spread kept): to predict a measured run from the compute time the run itself measured.
     */
    public Calibration withCompute(double seconds) {
        return new Calibration(parameters, batch, seconds, computeStdSeconds, cores, seconds, sharedComputeStdSeconds,
                localOptimizerSeconds, pullBytes, roundTripSeconds, clientSecondsPerByte, serverSecondsPerByte,
                applySeconds1, applySecondsPerWorker, codecs);
    }

    /** The averaging and optimizer time of a step with {@code workers} updates. */
    public double applySeconds(int workers) {
        return applySeconds1 + (workers - 1) * applySecondsPerWorker;
    }

    /** The codec named {@code name}; fails naming the ones measured. */
    public Codec codec(String name) {
        Codec c = codecs.get(name);
        if (c == null) {
            throw new IllegalArgumentException("compression : " + name + " (expected: one of " + codecs.keySet() + ")");
        }
        return c;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("parameters", parameters);
        m.put("batch", batch);
        m.put("compute_seconds", computeSeconds);
        m.put("compute_std_seconds", computeStdSeconds);
        m.put("cores", cores);
        m.put("shared_compute_seconds", sharedComputeSeconds);
        m.put("shared_compute_std_seconds", sharedComputeStdSeconds);
        m.put("local_optimizer_seconds", localOptimizerSeconds);
        m.put("pull_bytes", pullBytes);
        m.put("round_trip_seconds", roundTripSeconds);
        m.put("client_seconds_per_byte", clientSecondsPerByte);
        m.put("server_seconds_per_byte", serverSecondsPerByte);
        m.put("apply_seconds_1", applySeconds1);
        m.put("apply_seconds_per_worker", applySecondsPerWorker);
        Map<String, Object> c = new LinkedHashMap<>();
        codecs.forEach((k, v) -> c.put(k, Map.of("push_bytes", v.pushBytes(), "encode_seconds", v.encodeSeconds(),
                "decode_seconds", v.decodeSeconds())));
        m.put("codecs", c);
        return m;
    }
}
