package dev.lamina.driver;

import dev.lamina.engine.io.Json;
import dev.lamina.engine.io.Safetensors;
import dev.lamina.engine.nn.Model;
import dev.lamina.engine.nn.ModelSpec;
import dev.lamina.engine.tensor.Tensor;
import dev.lamina.ps.checkpoint.HadoopFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A model directory on any Hadoop file system: {@code model.json} (spec and provenance),
 * {@code weights.safetensors} and {@code metrics.json}. Each file is written to a temporary name and
 * renamed into place, so a reader never sees half a file.
 */
public final class ModelFiles {
    public static final String MODEL_JSON = "model.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String METRICS = "metrics.json";
    public static final String HISTORY = "history.jsonl";
    public static final String REPORT = "report.html";

    /** A model read back from a directory, with the metrics it was written with (empty for an older model.json). */
    public record Saved(ModelSpec spec, float[] parameters, Map<String, Object> provenance, Map<String, Object> metrics) {
    }

    private ModelFiles() {
    }

    public static void write(TrainedModel model, String dir, Configuration conf) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem(conf);
        fs.mkdirs(root);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", "lamina-model");
        json.put("formatVersion", 1);
        json.put("spec", model.spec().toMap());
        json.put("provenance", model.provenance());
        json.put("metrics", model.metrics());
        Model m = Model.of(model.spec());
        Map<String, Tensor> tensors = m.tensors(model.parameters());
        ByteArrayOutputStream weights = new ByteArrayOutputStream(4 * model.parameters().length + 4096);
        Safetensors.write(weights, tensors, Map.of("format", "pt", "producer", "lamina"));
        HadoopFiles.atomicWrite(fs, new Path(root, WEIGHTS), weights.toByteArray());
        HadoopFiles.atomicWrite(fs, new Path(root, MODEL_JSON), Json.writePretty(json).getBytes(StandardCharsets.UTF_8));
        HadoopFiles.atomicWrite(fs, new Path(root, METRICS), Json.writePretty(model.metrics()).getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a small JSON file (e.g. evaluation results) atomically. */
    public static void writeJson(String file, Map<String, Object> values, Configuration conf) throws IOException {
        Path path = new Path(file);
        HadoopFiles.atomicWrite(path.getFileSystem(conf), path, Json.writePretty(values).getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a binary file (an image) atomically. */
    public static void writeBytes(String file, byte[] bytes, Configuration conf) throws IOException {
        Path path = new Path(file);
        HadoopFiles.atomicWrite(path.getFileSystem(conf), path, bytes);
    }

    /** Writes a text file (a report, JSON lines) atomically. */
    public static void writeText(String file, String text, Configuration conf) throws IOException {
        Path path = new Path(file);
        HadoopFiles.atomicWrite(path.getFileSystem(conf), path, text.getBytes(StandardCharsets.UTF_8));
    }

    /** One JSON object per epoch, one per line. */
    public static String historyLines(TrainedModel model) {
        StringBuilder sb = new StringBuilder();
        for (EpochReport r : model.history()) {
            sb.append(Json.write(r.toMap())).append('\n');
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    public static Saved read(String dir, Configuration conf) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem(conf);
        Path modelJson = new Path(root, MODEL_JSON);
        if (!fs.exists(modelJson)) {
            throw new IOException("no " + MODEL_JSON + " in " + dir + " (expected: a directory written by 'lamina train')");
        }
        Map<String, Object> json;
        try (InputStream in = fs.open(modelJson)) {
            json = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        ModelSpec spec = ModelSpec.fromMap((Map<String, Object>) json.get("spec"));
        Model model = Model.of(spec);
        float[] params = new float[model.parameterCount()];
        Safetensors.Contents contents;
        try (InputStream in = fs.open(new Path(root, WEIGHTS))) {
            contents = Safetensors.read(in);
        }
        for (var view : model.parameters()) {
            Tensor t = contents.tensors().get(view.name());
            if (t == null || !t.shape().equals(view.shape())) {
                throw new IOException("weights tensor " + view.name() + " : " + (t == null ? "missing" : t.shape())
                        + " (expected: " + view.shape() + " as in " + MODEL_JSON + ")");
            }
            System.arraycopy(t.data(), t.offset(), params, view.offset(), view.size());
        }
        Object provenance = json.getOrDefault("provenance", Map.of());
        Object metrics = json.getOrDefault("metrics", Map.of());
        return new Saved(spec, params, (Map<String, Object>) provenance, (Map<String, Object>) metrics);
    }
}
