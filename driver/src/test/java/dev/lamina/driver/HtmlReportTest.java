package dev.lamina.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

    private static EpochReport epoch(int n, List<EpochReport.WorkerTimes> workers) {
        return new EpochReport(n, 2, 0.5, 0.9, 0.4, 1000, 3.0, 0.5, 2.0, 1.5, 1e5, 0.6, 0.1, 2.9, 3.5 * n, workers);
    }

    @Test
    void perWorkerTimesAreSummedOverEpochsWithWaitingApart() {
        List<EpochReport> h = List.of(
                epoch(1, List.of(new EpochReport.WorkerTimes(0, 1.0, 0.75, 0.25), new EpochReport.WorkerTimes(1, 1.25, 0.5, 0.0))),
                epoch(2, List.of(new EpochReport.WorkerTimes(0, 1.0, 0.5, 0.5), new EpochReport.WorkerTimes(1, 1.0, 1.0, 0.5))));
        String html = HtmlReport.workerChart(h);
        // worker 0: compute 2.00, comm without waiting (0.75 - 0.25) + (0.5 - 0.5) = 0.50, waiting 0.75
        assertTrue(html.contains("<tr><td>0</td><td>2.00</td><td>0.50</td><td>0.75</td></tr>"), html);
        assertTrue(html.contains("<tr><td>1</td><td>2.25</td><td>1.00</td><td>0.50</td></tr>"), html);
        assertTrue(html.contains("waiting for other workers"), html);
        assertEquals("", HtmlReport.workerChart(List.of(epoch(1, List.of()))), "nothing without the split");
    }

    @Test
    void theSplitSurvivesTheHistoryRoundTrip() {
        EpochReport r = epoch(1, List.of(new EpochReport.WorkerTimes(0, 1.0, 0.75, 0.25),
                new EpochReport.WorkerTimes(1, 1.25, 0.5, Double.NaN)));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) dev.lamina.engine.io.Json.parse(dev.lamina.engine.io.Json.write(r.toMap()));
        EpochReport back = EpochReport.fromMap(m, 2);
        assertEquals(r.workers().get(0), back.workers().get(0));
        assertEquals(1, back.workers().get(1).worker());
        assertTrue(Double.isNaN(back.workers().get(1).waitSeconds()), "an unmeasured wait stays unmeasured");
        assertEquals(r.elapsedSeconds(), back.elapsedSeconds());
    }
}
