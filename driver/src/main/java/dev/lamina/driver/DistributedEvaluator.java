package dev.lamina.driver;

import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.BlockEvaluator;
import dev.lamina.worker.EvalStats;
import dev.lamina.worker.FeatureBlock;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Evaluates parameters on blocks across the executors: per-block stats merged like an aggregator. */
public final class DistributedEvaluator {

    private DistributedEvaluator() {
    }

    /** Evaluates on already-featurized blocks (the parameters travel as a broadcast). */
    public static EvalStats evaluate(JavaSparkContext jsc, JavaRDD<FeatureBlock> blocks, ModelSpec spec, float[] params) {
        Broadcast<float[]> weights = jsc.broadcast(params);
        try {
            EvalStats zero = EvalStats.zero(spec);
            return blocks.map(b -> BlockEvaluator.evaluate(spec, weights.value(), b)).fold(zero, EvalStats::merge);
        } finally {
            weights.destroy();
        }
    }

    /** Featurizes {@code df} and evaluates on it. */
    public static EvalStats evaluate(SparkSession spark, Dataset<Row> df, String featuresCol, String labelCol,
                                     ModelSpec spec, float[] params) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Featurizer featurizer = Featurizer.forSpec(spec, featuresCol, labelCol);
        return evaluate(jsc, featurizer.blocks(df, jsc.defaultParallelism()), spec, params);
    }
}
