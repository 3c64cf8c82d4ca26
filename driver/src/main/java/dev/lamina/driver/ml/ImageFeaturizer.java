package dev.lamina.driver.ml;

import java.util.Arrays;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A pipeline stage that turns images into model inputs: a column of Spark's {@code image} source
 * (the struct with origin, height, width, nChannels, mode and data) or a binary column of encoded
 * image files (Spark's {@code binaryFile} source's {@code content}, PNG/JPEG/BMP/GIF) becomes an
 * array of {@code channels * height * width} floats in [0, 1], [C, H, W] order, RGB. Runs on the
 * executors. An image of another size, or bytes that are no image, fail the job naming the file
 * ({@code origin}, or the {@code path} column beside binary content) and the size expected.
 */
public final class ImageFeaturizer extends Transformer implements DefaultParamsWritable {
    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final IntParam channels;
    private final IntParam height;
    private final IntParam width;

    public ImageFeaturizer() {
        this(Identifiable$.MODULE$.randomUID("imageFeaturizer"));
    }

    public ImageFeaturizer(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "image struct column (image source) or encoded image bytes");
        outputCol = new Param<>(this, "outputCol", "output array<float> column, [C, H, W] in [0, 1]");
        channels = new IntParam(this, "channels", "output channels: 1 (gray) or 3 (RGB)", ParamValidators.inArray(new int[] {1, 3}));
        height = new IntParam(this, "height", "image height in pixels", ParamValidators.gtEq(1));
        width = new IntParam(this, "width", "image width in pixels", ParamValidators.gtEq(1));
        setDefault(inputCol, "image");
        setDefault(outputCol, "features");
        setDefault(channels, 1);
    }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public IntParam channels() { return channels; }
    public IntParam height() { return height; }
    public IntParam width() { return width; }

    public ImageFeaturizer setInputCol(String v) {
        set(inputCol, v);
        return this;
    }

    public ImageFeaturizer setOutputCol(String v) {
        set(outputCol, v);
        return this;
    }

    /** The model input [channels, height, width] the images must fit. */
    public ImageFeaturizer setShape(int c, int h, int w) {
        set(channels, c);
        set(height, h);
        set(width, w);
        return this;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        transformSchema(schema);
        int c = (Integer) $(channels);
        int h = (Integer) $(height);
        int w = (Integer) $(width);
        DataType type = schema.apply($(inputCol)).dataType();
        DataType out = DataTypes.createArrayType(DataTypes.FloatType, false);
        Column features;
        if (type instanceof BinaryType) {
            boolean hasPath = Arrays.asList(schema.fieldNames()).contains("path");
            UserDefinedFunction decode = functions.udf((UDF2<byte[], String, float[]>) (bytes, path) ->
                    ImagePixels.decode(bytes, c, h, w, path), out);
            features = decode.apply(dataset.col($(inputCol)), hasPath ? dataset.col("path")
                    : functions.lit("in column " + $(inputCol)));
        } else {
            UserDefinedFunction convert = functions.udf((UDF1<Row, float[]>) image -> fromStruct(image, c, h, w), out);
            features = convert.apply(dataset.col($(inputCol)));
        }
        return dataset.withColumn($(outputCol), features);
    }

    /** One row of Spark's image schema (origin, height, width, nChannels, mode, data). */
    private static float[] fromStruct(Row image, int c, int h, int w) {
        String origin = image.getString(image.fieldIndex("origin"));
        int ih = image.getInt(image.fieldIndex("height"));
        int iw = image.getInt(image.fieldIndex("width"));
        if (ih < 0 || iw < 0) {
            throw new IllegalArgumentException("file " + origin + " : Spark's image source could not decode it"
                    + " (expected: PNG, JPEG, BMP or GIF; data.options.pathGlobFilter can skip other files, and"
                    + " data.options.dropInvalid: true drops such files)");
        }
        ImagePixels.checkSize(ih, iw, h, w, c, origin);
        return ImagePixels.fromInterleaved((byte[]) image.get(image.fieldIndex("data")), ih, iw,
                image.getInt(image.fieldIndex("nChannels")), c, origin);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(height) || !isDefined(width)) {
            throw new IllegalArgumentException("height and width are not set (expected: setShape(channels, height, width),"
                    + " the model input)");
        }
        LaminaModel.requireColumn(schema, $(inputCol));
        DataType type = schema.apply($(inputCol)).dataType();
        boolean image = type instanceof StructType s && Arrays.asList(s.fieldNames()).containsAll(
                Arrays.asList("origin", "height", "width", "nChannels", "data"));
        if (!image && !(type instanceof BinaryType)) {
            throw new IllegalArgumentException("column '" + $(inputCol) + "' has type " + type.simpleString()
                    + " (expected: the image source's struct or binary image file content)");
        }
        if (Arrays.asList(schema.fieldNames()).contains($(outputCol))) {
            throw new IllegalArgumentException("output column '" + $(outputCol) + "' already exists (expected: a new column name)");
        }
        return schema.add(new StructField($(outputCol), new ArrayType(DataTypes.FloatType, false), true,
                org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public ImageFeaturizer copy(ParamMap extra) {
        return (ImageFeaturizer) defaultCopy(extra);
    }

    @Override
    public String uid() {
        return uid;
    }

    public static MLReader<ImageFeaturizer> read() {
        return new DefaultParamsReader<>();
    }

    public static ImageFeaturizer load(String path) {
        return read().load(path);
    }
}
