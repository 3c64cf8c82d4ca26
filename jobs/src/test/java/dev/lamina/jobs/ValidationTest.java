package dev.lamina.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lamina.jobs.plan.Calibration;
import dev.lamina.jobs.plan.CostModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidationTest {
    /** 1,000 parameters, batch 50: 10 ms alone, 12 ms with both cores busy; local optimizer 1 ms. */
    private static final Calibration C = new Calibration(1000, 50, 0.010, 0.002, 2, 0.012, 0.002, 0.001, 4000, 1e-4,
            1e-9, 2e-9, 5e-4, 2.5e-4, Map.of("none", new Calibration.Codec(4000, 0, 0),
                    "int8", new Calibration.Codec(1100, 1e-4, 1e-4)));

    @Test
    @SuppressWarnings("unchecked")
    void eachRunIsPredictedFromTheCalibrationAndFromItsOwnComputeTime(@TempDir Path dir) throws Exception {
        Path netem = dir.resolve("n.jsonl");
        Files.writeString(netem, String.join("\n",
                "{\"framework\":\"lamina\",\"workers\":2,\"mode\":\"local-sgd\",\"compression\":\"int8\","
                        + "\"samples_per_second\":7000,\"bandwidth_mbit\":100,\"delay_ms\":1,\"shaper\":\"tbf+tapdelay\","
                        + "\"batch_per_worker\":50,\"sync_every\":8,\"parameters\":1000,\"compute_seconds_per_step\":0.014}",
                "{\"framework\":\"mllib\",\"workers\":2,\"samples_per_second\":1}",
                "{\"framework\":\"lamina\",\"workers\":2,\"mode\":\"sync\",\"samples_per_second\":1,\"shaper\":\"tbf\","
                        + "\"batch_per_worker\":50,\"sync_every\":1,\"parameters\":999,\"compute_seconds_per_step\":0.01}",
                ""));
        Path scaling = dir.resolve("s.jsonl");
        // 2 workers of a global batch 100 over 10,000 samples: 100 steps per epoch, 1.1 s of compute each.
        Files.writeString(scaling, "{\"framework\":\"lamina\",\"workers\":2,\"mode\":\"sync\",\"samples_per_second\":8000,"
                + "\"batch_size\":100,\"sync_every\":1,\"parameters\":1000,\"compute_seconds\":1.1,\"exchange\":\"tcp\"}\n"
                // workers that exchanged through memory in the server's JVM: no network for the model to predict
                + "{\"framework\":\"lamina\",\"workers\":2,\"mode\":\"sync\",\"samples_per_second\":9000,"
                + "\"batch_size\":100,\"sync_every\":1,\"parameters\":1000,\"compute_seconds\":1.1,\"exchange\":\"memory\"}\n");
        PlanJob.Calibrations calibrations = new PlanJob.Calibrations(null, Map.of(50, C));

        List<Object> rows = Validation.run(calibrations, netem + "," + scaling, 0.2, 10_000);

        assertEquals(2, rows.size(), "the MLlib line, the run of another model and the in-memory run are left out");
        Map<String, Object> n = (Map<String, Object>) rows.get(0);
        CostModel.Cluster link = new CostModel.Cluster(2, 1, 100e6 / 8, 0.001, 0, 100);
        double predicted = CostModel.predict(C, link, "local-sgd", "int8", 8).samplesPerSecond();
        assertEquals(predicted, (double) n.get("predicted_samples_per_second"), 1e-9);
        assertEquals(predicted / 7000 - 1, (double) n.get("error"), 1e-12);
        // Its own compute: 14 ms per step, of which the local optimizer's 1 ms.
        double own = CostModel.predict(C.withCompute(0.013), link, "local-sgd", "int8", 8).samplesPerSecond();
        assertEquals(own, (double) n.get("predicted_from_run_compute_samples_per_second"), 1e-9);
        assertEquals(own / 7000 - 1, (double) n.get("error_from_run_compute"), 1e-12);

        Map<String, Object> s = (Map<String, Object>) rows.get(1);
        CostModel.Cluster spark = new CostModel.Cluster(2, 1, Double.POSITIVE_INFINITY, 0, 0.2, 100);
        assertEquals(CostModel.predict(C, spark, "sync", "none", 1).samplesPerSecond(),
                (double) s.get("predicted_samples_per_second"), 1e-9);
        assertEquals(CostModel.predict(C.withCompute(0.011), spark, "sync", "none", 1).samplesPerSecond(),
                (double) s.get("predicted_from_run_compute_samples_per_second"), 1e-9);
        assertNull(s.get("bandwidth_mbit"));
    }
}
