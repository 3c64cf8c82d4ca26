package dev.lamina.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress bar's text and life cycle, and the metrics source's gauges (no Spark needed). */
class ObservabilityTest {

    @Test
    void barShowsTheFractionOfTheEpochsSteps() {
        assertEquals("epoch 3/10 [" + "#".repeat(15) + "-".repeat(15) + "] 50% step 32/64", EpochProgress.bar(3, 10, 32, 64));
        assertEquals("epoch 1/1 [" + "-".repeat(30) + "] 0% step 0/7", EpochProgress.bar(1, 1, -2, 7));
        assertEquals("epoch 1/1 [" + "#".repeat(30) + "] 100% step 7/7", EpochProgress.bar(1, 1, 9, 7));
    }

    @Test
    void progressFollowsTheServerStepAndErasesItsLine() throws Exception {
        AtomicLong serverStep = new AtomicLong(100);
        AtomicLong seen = new AtomicLong(-1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream terminal = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (EpochProgress p = EpochProgress.start(2, 4, 100, 10, serverStep::get, seen::set, terminal)) {
            serverStep.set(105);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.get() != 105 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
        }
        assertEquals(105, seen.get());
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("\repoch 2/4 [" + "#".repeat(15) + "-".repeat(15) + "] 50% step 5/10"), out);
        assertTrue(out.endsWith("\r"), "the bar is erased before the epoch's report line");
    }

    @Test
    void metricsSourceGaugesFollowTheReports() {
        LaminaMetricsSource source = new LaminaMetricsSource();
        assertEquals("lamina", source.sourceName());
        assertTrue(Double.isNaN(gauge(source, "test_accuracy")));
        source.step(42);
        source.epochDone(new EpochReport(3, 5, 0.25, 0.97, 0.1, 6000, 2.0, 0.5, 3.0, 1.0, 1024));
        assertEquals(42L, ((Number) source.metricRegistry().getGauges().get("step").getValue()).longValue());
        assertEquals(3, ((Number) source.metricRegistry().getGauges().get("epoch").getValue()).intValue());
        assertEquals(0.97, gauge(source, "test_accuracy"));
        assertEquals(3000.0, gauge(source, "samples_per_second"));
        assertEquals(1024.0, gauge(source, "push_bytes_per_step"));
        source.register();   // no SparkEnv in a unit test: nothing to register with, and no failure
        source.unregister();
    }

    private static double gauge(LaminaMetricsSource source, String name) {
        Gauge<?> g = source.metricRegistry().getGauges().get(name);
        return ((Number) g.getValue()).doubleValue();
    }
}
