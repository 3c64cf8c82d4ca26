package dev.lamina.driver;

import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.worker.FeatureBlock;
import dev.lamina.worker.Targets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Turns a DataFrame's feature and label columns into one {@link FeatureBlock} per partition.
 * Feature columns may be binary (unsigned bytes, scaled to [0, 1]), an ML vector, or an array of
 * float/double; labels any integral or floating column holding class indices. For a language model
 * ({@link Targets#NEXT_TOKENS}) the features column alone holds windows of T + 1 token ids (binary:
 * one unsigned byte per token; or an array of integers): the model reads the first T, the targets
 * are the last T. Column problems are reported before any job runs; value problems (wrong width,
 * NaN, label or token out of range) name the row.
 */
public final class Featurizer {
    private final String featuresCol;
    private final String labelCol;
    private final int width;
    private final int classes;
    private final boolean tokens;

    /** {@code classes} 0: the labels are values (regression, or unused by reconstruction), finite only. */
    public Featurizer(String featuresCol, String labelCol, int width, int classes) {
        this(featuresCol, labelCol, width, classes, false);
    }

    private Featurizer(String featuresCol, String labelCol, int width, int classes, boolean tokens) {
        this.featuresCol = featuresCol;
        this.labelCol = labelCol;
        this.width = width;
        this.classes = classes;
        this.tokens = tokens;
    }

    /**
     * The featurizer for what {@code spec} trains on: classes, values, its own input, or (a sequence
     * loss) next tokens from windows of {@code inputSize + 1} ids below the model's vocabulary.
     */
    public static Featurizer forSpec(ModelSpec spec, String featuresCol, String labelCol) {
        Targets targets = Targets.of(spec);
        return switch (targets) {
            case NEXT_TOKENS -> new Featurizer(featuresCol, labelCol, spec.inputSize(), spec.classes(), true);
            case CLASSES -> new Featurizer(featuresCol, labelCol, spec.inputSize(), spec.classes());
            case VALUES, INPUT -> new Featurizer(featuresCol, labelCol, spec.inputSize(), 0);
            case NOISE -> new Featurizer(featuresCol, labelCol, spec.inputSize(), spec.diffusion().classes());
        };
    }

    /** Throws IllegalArgumentException describing every kind of bad row of {@code df} ({@code what}: "the training data"). */
    public void validate(Dataset<Row> df, String what) {
        if (tokens) {
            DataValidator.checkTokens(df, featuresCol, width, classes, what);
        } else {
            DataValidator.check(df, featuresCol, labelCol, width, classes, what);
        }
    }

    /** Checks the schema (on the driver, no job) and returns the blocks, repartitioned into {@code partitions}. */
    public JavaRDD<FeatureBlock> blocks(Dataset<Row> df, int partitions) {
        checkSchema(df.schema());
        int w = width;
        int k = classes;
        if (tokens) {
            return df.select(featuresCol).repartition(partitions).javaRDD()
                    .mapPartitions(rows -> List.of(toTokenBlock(rows, w, k)).iterator());
        }
        return df.select(featuresCol, labelCol).repartition(partitions).javaRDD()
                .mapPartitions(rows -> List.of(toBlock(rows, w, k)).iterator());
    }

    /** Throws IllegalArgumentException naming a missing column or a column of the wrong type. */
    public void checkSchema(StructType schema) {
        DataType ft = field(schema, featuresCol, "features").dataType();
        if (tokens) {
            boolean ok = ft instanceof BinaryType || ft instanceof ArrayType a && integral(a.elementType());
            if (!ok) {
                throw new IllegalArgumentException("features column '" + featuresCol + "' has type " + ft.simpleString()
                        + " (expected: binary or array<int>, windows of " + (width + 1) + " token ids for a language model)");
            }
            return;
        }
        DataType lt = field(schema, labelCol, "label").dataType();
        boolean featuresOk = ft instanceof BinaryType || ft instanceof VectorUDT
                || ft instanceof ArrayType a && (a.elementType() instanceof FloatType || a.elementType() instanceof DoubleType);
        if (!featuresOk) {
            throw new IllegalArgumentException("features column '" + featuresCol + "' has type " + ft.simpleString()
                    + " (expected: binary, vector, array<float> or array<double>)");
        }
        boolean labelOk = lt instanceof IntegerType || lt instanceof LongType || lt instanceof ShortType
                || lt instanceof ByteType || lt instanceof DoubleType || lt instanceof FloatType;
        if (!labelOk) {
            throw new IllegalArgumentException("label column '" + labelCol + "' has type " + lt.simpleString()
                    + " (expected: an integer or floating class index)");
        }
    }

    private static boolean integral(DataType t) {
        return t instanceof IntegerType || t instanceof LongType || t instanceof ShortType || t instanceof ByteType;
    }

    static FeatureBlock toTokenBlock(Iterator<Row> rows, int width, int vocab) {
        float[] features = new float[width * 64];
        float[] labels = new float[width * 64];
        int n = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            if (n * width == features.length) {
                features = Arrays.copyOf(features, n * 2 * width);
                labels = Arrays.copyOf(labels, n * 2 * width);
            }
            readTokens(row, n, width, vocab, features, labels);
            n++;
        }
        return new FeatureBlock(n, width, Arrays.copyOf(features, n * width), Arrays.copyOf(labels, n * width));
    }

    /**
     * Reads column 0 of {@code row}, a window of {@code width + 1} token ids (binary bytes or integers),
     * as row {@code n}: inputs are ids 0..width-1, targets ids 1..width; throws naming the row on a
     * wrong length or an id outside [0, vocab).
     */
    static void readTokens(Row row, int n, int width, int vocab, float[] features, float[] labels) {
        Object v = row.get(0);
        if (v == null) {
            throw new IllegalArgumentException("token window is null in row " + n + " of this partition");
        }
        List<Object> list = v instanceof byte[] ? null : row.getList(0);
        int len = list == null ? ((byte[]) v).length : list.size();
        if (len != width + 1) {
            throw new IllegalArgumentException("token window of length " + len + " in row " + n
                    + " of this partition (expected: " + (width + 1) + ", the model's sequence length + 1)");
        }
        int base = n * width;
        for (int i = 0; i <= width; i++) {
            long id = list == null ? ((byte[]) v)[i] & 0xFF : ((Number) list.get(i)).longValue();
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " at position " + i + " in row " + n
                        + " of this partition (expected: in [0, " + vocab + "), the model's vocabulary)");
            }
            if (i < width) {
                features[base + i] = id;
            }
            if (i > 0) {
                labels[base + i - 1] = id;
            }
        }
    }

    private static StructField field(StructType schema, String name, String role) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException(role + " column '" + name + "' not found (columns: "
                + Arrays.toString(schema.fieldNames()) + ")");
    }

    static FeatureBlock toBlock(Iterator<Row> rows, int width, int classes) {
        float[] features = new float[width * 64];
        float[] labels = new float[64];
        int n = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            if (n == labels.length) {
                labels = Arrays.copyOf(labels, n * 2);
                features = Arrays.copyOf(features, n * 2 * width);
            }
            readFeatures(row, n, width, features);
            labels[n] = readLabel(row, n, classes);
            n++;
        }
        return new FeatureBlock(n, width, Arrays.copyOf(features, n * width), Arrays.copyOf(labels, n));
    }

    private static void readFeatures(Row row, int n, int width, float[] out) {
        readFeatures(row, 0, n, width, out);
    }

    /**
     * Reads column {@code col} of {@code row} (binary, vector or float/double array) as row {@code n}
     * of a [rows, width] buffer; throws naming the row on a wrong width or a non-finite value.
     */
    public static void readFeatures(Row row, int col, int n, int width, float[] out) {
        Object v = row.get(col);
        int base = n * width;
        int len;
        if (v instanceof byte[] bytes) {
            len = bytes.length;
            checkWidth(len, width, n);
            for (int i = 0; i < len; i++) {
                out[base + i] = (bytes[i] & 0xFF) * (1f / 255f);
            }
        } else if (v instanceof Vector vec) {
            len = vec.size();
            checkWidth(len, width, n);
            for (int i = 0; i < len; i++) {
                out[base + i] = (float) vec.apply(i);
            }
        } else if (v != null) {
            List<Object> list = row.getList(col);
            len = list.size();
            checkWidth(len, width, n);
            for (int i = 0; i < len; i++) {
                out[base + i] = ((Number) list.get(i)).floatValue();
            }
        } else {
            throw new IllegalArgumentException("features are null in row " + n + " of this partition");
        }
        for (int i = 0; i < width; i++) {
            if (!Float.isFinite(out[base + i])) {
                throw new IllegalArgumentException("feature " + i + " is " + out[base + i] + " in row " + n
                        + " of this partition (expected: finite)");
            }
        }
    }

    private static void checkWidth(int len, int width, int n) {
        if (len != width) {
            throw new IllegalArgumentException("feature vector of length " + len + " in row " + n
                    + " of this partition (expected: " + width + ", the model input size)");
        }
    }

    private static float readLabel(Row row, int n, int classes) {
        if (row.isNullAt(1)) {
            throw new IllegalArgumentException("label is null in row " + n + " of this partition");
        }
        double v = ((Number) row.get(1)).doubleValue();
        if (classes == 0) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("label " + v + " in row " + n + " of this partition (expected: finite)");
            }
            return (float) v;
        }
        if (v != Math.rint(v) || v < 0 || v >= classes) {
            throw new IllegalArgumentException("label " + v + " in row " + n + " of this partition (expected: an integer in [0, "
                    + classes + "))");
        }
        return (float) v;
    }
}
