package dev.lamina.driver;

import dev.lamina.worker.EvalStats;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html} beside a model: loss and accuracy per epoch, where the training time went
 * (compute, communication and evaluation per epoch; compute, communication and waiting per worker),
 * the confusion matrix and the final metrics. One
 * self-contained file (inline SVG and CSS, no scripts, nothing fetched), so it opens offline.
 */
public final class HtmlReport {
    private static final int W = 520;
    private static final int H = 220;
    private static final int PAD = 40;

    private HtmlReport() {
    }

    /** The page for a trained model and its final evaluation. */
    public static String render(String title, TrainedModel model, EvalStats evaluation) {
        List<EpochReport> h = model.history();
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title>\n<style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}h2{margin-top:28px}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
                .append(".cm td{width:34px;height:22px;font-size:11px}svg{background:#fafafa;border:1px solid #ddd}")
                .append("</style></head><body>\n<h1>").append(escape(title)).append("</h1>\n");
        sb.append("<h2>Metrics</h2>\n<table>");
        for (Map.Entry<String, Object> e : model.metrics().entrySet()) {
            sb.append("<tr><th>").append(escape(e.getKey())).append("</th><td>").append(format(e.getValue()))
                    .append("</td></tr>");
        }
        sb.append("</table>\n");
        if (!h.isEmpty()) {
            sb.append("<h2>Loss per epoch</h2>\n")
                    .append(lineChart(h.stream().map(EpochReport::trainLoss).toList(),
                            h.stream().map(EpochReport::testLoss).toList(), "train loss", "test loss"));
            if (h.stream().anyMatch(r -> Double.isFinite(r.testAccuracy()))) {
                sb.append("<h2>Test accuracy per epoch</h2>\n")
                        .append(lineChart(h.stream().map(EpochReport::testAccuracy).toList(), List.of(), "test accuracy", ""));
            }
            sb.append("<h2>Time per epoch</h2>\n").append(timeChart(h));
            String workers = workerChart(h);
            if (!workers.isEmpty()) {
                sb.append("<h2>Time per worker (all epochs)</h2>\n").append(workers);
            }
        }
        if (evaluation != null && evaluation.classification() && !evaluation.tokens()) {
            sb.append("<h2>Confusion matrix (rows: true class, columns: predicted)</h2>\n").append(confusion(evaluation));
        }
        return sb.append("</body></html>\n").toString();
    }

    /**
     * A page with one table (e.g. the baseline comparison): a title, a paragraph, a header row and rows
     * of text; the same self-contained style as the model report.
     */
    public static String table(String title, String intro, List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child{text-align:left}")
                .append("</style></head><body>\n<h1>").append(escape(title)).append("</h1>\n<p>").append(escape(intro))
                .append("</p>\n<table><tr>");
        header.forEach(h -> sb.append("<th>").append(escape(h)).append("</th>"));
        sb.append("</tr>\n");
        for (List<String> row : rows) {
            sb.append("<tr>");
            row.forEach(c -> sb.append("<td>").append(escape(c)).append("</td>"));
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n</body></html>\n").toString();
    }

    private static String lineChart(List<Double> a, List<Double> b, String labelA, String labelB) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (List<Double> s : List.of(a, b)) {
            for (double v : s) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (max <= min) {
            max = min + 1;
        }
        StringBuilder svg = new StringBuilder(svgOpen());
        axes(svg, min, max, a.size());
        polyline(svg, a, min, max, "#1f77b4");
        polyline(svg, b, min, max, "#d62728");
        svg.append(legend(0, labelA, "#1f77b4"));
        if (!b.isEmpty()) {
            svg.append(legend(1, labelB, "#d62728"));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String timeChart(List<EpochReport> h) {
        double max = 0;
        for (EpochReport r : h) {
            max = Math.max(max, r.computeSeconds() + r.commSeconds() + r.evalSeconds());
        }
        max = Math.max(max, 1e-9);
        StringBuilder svg = new StringBuilder(svgOpen());
        axes(svg, 0, max, h.size());
        double slot = (W - 2.0 * PAD) / h.size();
        for (int i = 0; i < h.size(); i++) {
            EpochReport r = h.get(i);
            double base = 0;
            double[] parts = {r.computeSeconds(), r.commSeconds(), r.evalSeconds()};
            String[] colors = {"#2ca02c", "#ff7f0e", "#9467bd"};
            for (int p = 0; p < parts.length; p++) {
                double y0 = y(base, 0, max);
                double y1 = y(base + parts[p], 0, max);
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                        PAD + i * slot + slot * 0.15, y1, slot * 0.7, y0 - y1, colors[p]));
                base += parts[p];
            }
        }
        svg.append(legend(0, "compute (sum over workers)", "#2ca02c"))
                .append(legend(1, "communication incl. waiting (sum over workers)", "#ff7f0e"))
                .append(legend(2, "evaluation", "#9467bd"));
        return svg.append("</svg>\n").toString();
    }

    /**
     * Each worker's compute, communication without waiting, and waiting for the other workers, summed
     * over the epochs that recorded it: bars and a table. Empty when no epoch has the per-worker split.
     */
    static String workerChart(List<EpochReport> h) {
        java.util.TreeMap<Integer, double[]> sums = new java.util.TreeMap<>();
        for (EpochReport r : h) {
            for (EpochReport.WorkerTimes w : r.workers()) {
                double wait = Double.isFinite(w.waitSeconds()) ? w.waitSeconds() : 0;
                double[] t = sums.computeIfAbsent(w.worker(), k -> new double[3]);
                t[0] += w.computeSeconds();
                t[1] += Math.max(0, w.commSeconds() - wait);
                t[2] += wait;
            }
        }
        if (sums.isEmpty()) {
            return "";
        }
        double max = 1e-9;
        for (double[] t : sums.values()) {
            max = Math.max(max, t[0] + t[1] + t[2]);
        }
        String[] colors = {"#2ca02c", "#ff7f0e", "#d62728"};
        StringBuilder svg = new StringBuilder(svgOpen());
        axes(svg, 0, max, sums.size(), "worker");
        double slot = (W - 2.0 * PAD) / sums.size();
        StringBuilder table = new StringBuilder("<table><tr><th>worker</th><th>compute s</th><th>communication s"
                + " (without waiting)</th><th>waiting s</th></tr>");
        int i = 0;
        for (Map.Entry<Integer, double[]> e : sums.entrySet()) {
            double base = 0;
            for (int p = 0; p < 3; p++) {
                double y0 = y(base, 0, max);
                double y1 = y(base + e.getValue()[p], 0, max);
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                        PAD + i * slot + slot * 0.15, y1, slot * 0.7, y0 - y1, colors[p]));
                base += e.getValue()[p];
            }
            svg.append(text((int) (PAD + i * slot + slot * 0.45), H - PAD + 12, String.valueOf(e.getKey())));
            table.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.2f</td><td>%.2f</td><td>%.2f</td></tr>",
                    e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]));
            i++;
        }
        svg.append(legend(0, "compute", colors[0])).append(legend(1, "communication", colors[1]))
                .append(legend(2, "waiting for other workers", colors[2]));
        return svg.append("</svg>\n").append(table).append("</table>\n").toString();
    }

    private static String confusion(EvalStats s) {
        long max = 1;
        for (long v : s.confusion()) {
            max = Math.max(max, v);
        }
        StringBuilder t = new StringBuilder("<table class=\"cm\"><tr><th></th>");
        for (int p = 0; p < s.classes(); p++) {
            t.append("<th>").append(p).append("</th>");
        }
        t.append("</tr>");
        for (int r = 0; r < s.classes(); r++) {
            t.append("<tr><th>").append(r).append("</th>");
            for (int p = 0; p < s.classes(); p++) {
                long v = s.confusion()[r * s.classes() + p];
                int shade = (int) (255 - 200.0 * v / max);
                t.append(String.format(Locale.ROOT, "<td style=\"background:rgb(%d,%d,255)\">%d</td>", shade, shade, v));
            }
            t.append("</tr>");
        }
        return t.append("</table>\n").toString();
    }

    private static String svgOpen() {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + W + "\" height=\"" + H + "\" viewBox=\"0 0 " + W
                + " " + H + "\">";
    }

    private static void axes(StringBuilder svg, double min, double max, int n) {
        axes(svg, min, max, n, "epoch (1.." + n + ")");
    }

    private static void axes(StringBuilder svg, double min, double max, int n, String xLabel) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                PAD, H - PAD, W - PAD, H - PAD));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                PAD, PAD / 2, PAD, H - PAD));
        svg.append(text(2, PAD / 2 + 8, format(max))).append(text(2, H - PAD, format(min)))
                .append(text(W / 2 - 20, H - 8, xLabel));
    }

    private static void polyline(StringBuilder svg, List<Double> values, double min, double max, String color) {
        if (values.isEmpty()) {
            return;
        }
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            double x = values.size() == 1 ? PAD : PAD + i * (W - 2.0 * PAD) / (values.size() - 1);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(values.get(i), min, max)));
        }
        svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                .append(pts.toString().trim()).append("\"/>");
    }

    private static double y(double v, double min, double max) {
        return H - PAD - (v - min) / (max - min) * (H - 1.5 * PAD);
    }

    private static String legend(int row, String label, String color) {
        return String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", W - 250,
                6 + row * 14, color) + text(W - 236, 15 + row * 14, label);
    }

    private static String text(int x, int y, String s) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" font-size=\"11\">" + escape(s) + "</text>";
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%.1f" : "%.4f", d);
        }
        return escape(String.valueOf(v));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
