package dev.lamina.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.jobs.plan.CostModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanJobTest {

    private static CostModel.Prediction p(String mode, String codec, double samples) {
        return new CostModel.Prediction(mode, codec, 2, 1, 1, 0, 0, samples, 0.5);
    }

    @Test
    void theLeastLossyConfigurationWithinTenPercentOfTheFastestIsRecommended() {
        List<CostModel.Prediction> close = List.of(p("sync", "none", 950), p("sync", "topk", 990),
                p("local-sgd", "int8", 1000), p("async", "none", 999));
        assertEquals("sync/none", name(PlanJob.recommend(close)));
        List<CostModel.Prediction> far = List.of(p("sync", "none", 500), p("sync", "fp16", 910),
                p("local-sgd", "none", 1000), p("async", "topk", 1000));
        assertEquals("sync/fp16", name(PlanJob.recommend(far)));
        assertEquals("local-sgd/none", name(PlanJob.recommend(List.of(p("sync", "fp16", 880), p("local-sgd", "none", 1000)))));
    }

    private static String name(CostModel.Prediction p) {
        return p.mode() + "/" + p.compression();
    }

    @Test
    void theModelComesFromAJobFileAndWorkersAreBounded() throws Exception {
        PlanJob.Target t = PlanJob.target(Path.of("..", "conf", "scaling-lenet.yaml"));
        assertEquals(64, t.training().workerBatchSize());
        assertEquals("--workers 513 (expected: in [1, 512])", assertThrows(IllegalArgumentException.class,
                () -> PlanJob.run(new String[] {"--model", "../conf/scaling-lenet.yaml", "--workers", "513"})).getMessage());
    }
}
