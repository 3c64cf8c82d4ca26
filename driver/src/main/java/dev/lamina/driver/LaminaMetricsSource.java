package dev.lamina.driver;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.lang.System.Logger.Level;
import org.apache.spark.SparkEnv;
import org.apache.spark.metrics.source.Source;

/**
 * Training metrics as a Spark metrics source named {@code lamina}: every sink configured in the
 * application's metrics configuration (CSV, JMX, Prometheus servlet, Graphite...) reports them
 * beside Spark's own, e.g. {@code <app>.driver.lamina.test_accuracy}. Gauges: {@code epoch},
 * {@code step} (parameter-server steps so far), {@code train_loss}, {@code test_accuracy},
 * {@code test_loss}, {@code samples_per_second}, {@code push_bytes_per_step}, {@code compute_seconds}
 * and {@code comm_seconds} (the last epoch's, summed over workers).
 */
final class LaminaMetricsSource implements Source {
    private static final System.Logger LOG = System.getLogger(LaminaMetricsSource.class.getName());

    private final MetricRegistry registry = new MetricRegistry();
    private volatile int epoch;
    private volatile long step;
    private volatile EpochReport last;

    LaminaMetricsSource() {
        registry.register("epoch", (Gauge<Integer>) () -> epoch);
        registry.register("step", (Gauge<Long>) () -> step);
        register("train_loss", EpochReport::trainLoss);
        register("test_accuracy", EpochReport::testAccuracy);
        register("test_loss", EpochReport::testLoss);
        register("samples_per_second", EpochReport::samplesPerSecond);
        register("push_bytes_per_step", EpochReport::pushBytesPerStep);
        register("compute_seconds", EpochReport::computeSeconds);
        register("comm_seconds", EpochReport::commSeconds);
    }

    private void register(String name, java.util.function.ToDoubleFunction<EpochReport> value) {
        registry.register(name, (Gauge<Double>) () -> {
            EpochReport r = last;
            return r == null ? Double.NaN : value.applyAsDouble(r);
        });
    }

    @Override
    public String sourceName() {
        return "lamina";
    }

    @Override
    public MetricRegistry metricRegistry() {
        return registry;
    }

    void step(long serverStep) {
        this.step = serverStep;
    }

    void epochDone(EpochReport report) {
        this.last = report;
        this.epoch = report.epoch();
    }

    /** Registers with this JVM's Spark metrics system (the driver's); a no-op without one. */
    void register() {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            LOG.log(Level.DEBUG, "no SparkEnv: Lamina's metrics source not registered");
            return;
        }
        env.metricsSystem().registerSource(this);
    }

    /** Reports the final values to every sink once more, then unregisters (the next job may register). */
    void unregister() {
        SparkEnv env = SparkEnv.get();
        if (env != null) {
            env.metricsSystem().report();
            env.metricsSystem().removeSource(this);
        }
    }
}
