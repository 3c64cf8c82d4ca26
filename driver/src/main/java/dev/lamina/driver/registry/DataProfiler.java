package dev.lamina.driver.registry;

import dev.lamina.driver.Featurizer;
import dev.lamina.worker.FeatureBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Profiles a DataFrame on the executors: one pass for each column's moments and range, one for the
 * histograms on those ranges and, given a reference profile, one for the histograms on the reference's
 * ranges (what the drift check compares). The data must have passed the DataValidator.
 */
public final class DataProfiler {
    /** Histogram bins per feature. */
    public static final int DEFAULT_BINS = 20;

    private DataProfiler() {
    }

    /**
     * The data's profile and, with a reference, the same data binned as the reference was.
     *
     * @param onReference the data's histograms on the reference's bins (its statistics are the data's own)
     */
    public record Result(DataProfile profile, Optional<DataProfile> onReference) {
    }

    /**
     * @param width     features per row
     * @param classes   classes of the label (0: label values)
     * @param names     feature names, or empty for {@code f0, f1, ...}
     * @param bins      histogram bins per feature, >= 2
     * @param reference the profile to bin like, if any (same width)
     */
    public static Result profile(Dataset<Row> df, String featuresCol, String labelCol, int width, int classes,
                                 List<String> names, int bins, Optional<DataProfile> reference) {
        if (bins < 2) {
            throw new IllegalArgumentException("histogram bins : " + bins + " (expected: >= 2)");
        }
        if (!names.isEmpty() && names.size() != width) {
            throw new IllegalArgumentException(names.size() + " feature names for " + width + " features");
        }
        reference.ifPresent(r -> {
            if (r.features().size() != width) {
                throw new IllegalArgumentException("reference profile of " + r.features().size() + " features (expected: "
                        + width + ", as the data)");
            }
        });
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        JavaRDD<FeatureBlock> blocks = new Featurizer(featuresCol, labelCol, width, classes)
                .blocks(df, jsc.defaultParallelism()).persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            ProfileSums.Moments moments = blocks.map(ProfileSums.Moments::of).reduce(ProfileSums.Moments::merge);
            if (moments.rows() == 0) {
                throw new IllegalArgumentException("no rows to profile");
            }
            ProfileSums.Binned own = histograms(blocks, ownRanges(moments, width, classes, bins));
            DataProfile profile = assemble(moments, own, width, classes, names);
            Optional<DataProfile> onReference = reference.map(r -> assemble(moments, histograms(blocks, ranges(r)), width,
                    classes, names));
            return new Result(profile, onReference);
        } finally {
            blocks.unpersist(false);
        }
    }

    private static ProfileSums.Binned histograms(JavaRDD<FeatureBlock> blocks, ProfileSums.Binned zero) {
        return blocks.map(zero::add).reduce(ProfileSums.Binned::merge);
    }

    private static ProfileSums.Binned ownRanges(ProfileSums.Moments m, int width, int classes, int bins) {
        double[] lo = new double[width + 1];
        double[] hi = new double[width + 1];
        int[] n = new int[width + 1];
        for (int c = 0; c <= width; c++) {
            boolean classLabel = c == width && classes > 0;
            double[] range = classLabel ? new double[] {0, classes} : ColumnProfile.range(m.min()[c], m.max()[c]);
            lo[c] = range[0];
            hi[c] = range[1];
            n[c] = classLabel ? classes : bins;
        }
        return ProfileSums.Binned.empty(lo, hi, n);
    }

    private static ProfileSums.Binned ranges(DataProfile r) {
        int width = r.features().size();
        double[] lo = new double[width + 1];
        double[] hi = new double[width + 1];
        int[] n = new int[width + 1];
        for (int c = 0; c <= width; c++) {
            ColumnProfile p = c < width ? r.features().get(c) : r.label();
            lo[c] = p.lo();
            hi[c] = p.hi();
            n[c] = p.counts().length;
        }
        return ProfileSums.Binned.empty(lo, hi, n);
    }

    private static DataProfile assemble(ProfileSums.Moments m, ProfileSums.Binned h, int width, int classes,
                                        List<String> names) {
        List<ColumnProfile> features = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
            features.add(column(names.isEmpty() ? "f" + c : names.get(c), m, h, c));
        }
        return new DataProfile(m.rows(), features, column("label", m, h, width), classes);
    }

    private static ColumnProfile column(String name, ProfileSums.Moments m, ProfileSums.Binned h, int c) {
        return new ColumnProfile(name, m.mean(c), m.std(c), m.min()[c], m.max()[c], h.lo()[c], h.hi()[c], h.counts()[c]);
    }
}
