package dev.lamina.engine.io;

import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public safetensors layout: an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to {dtype, shape, data_offsets} (plus an optional string-to-string "__metadata__"),
 * padded with spaces to a multiple of 8, then the raw little-endian tensor bytes. Only F32 is used.
 */
public final class Safetensors {
    /** Refuse headers larger than this (the format's own reference limit is 100 MB). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private Safetensors() {
    }

    /** Writes {@code tensors} (in map order) with {@code metadata}. */
    public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long pos = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape().dims()) {
                shape.add((long) d);
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", shape);
            info.put("data_offsets", List.of(pos, pos + 4L * t.size()));
            header.put(e.getKey(), info);
            pos += 4L * t.size();
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        out.write(head.array());
        byte[] chunk = new byte[1 << 16];
        for (Tensor t : tensors.values()) {
            writeFloats(out, t.data(), t.offset(), t.size(), chunk);
        }
    }

    private static void writeFloats(OutputStream out, float[] src, int off, int n, byte[] chunk) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < n) {
            int m = Math.min(n - done, chunk.length / 4);
            bb.clear();
            bb.asFloatBuffer().put(src, off + done, m);
            out.write(chunk, 0, m * 4);
            done += m;
        }
    }

    /** The contents of a safetensors file: tensors by name (file order) and the metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /** Reads every F32 tensor; other dtypes, overlapping or out-of-range offsets are refused. */
    public static Contents read(InputStream in) throws IOException {
        byte[] lenBytes = in.readNBytes(8);
        if (lenBytes.length != 8) {
            throw new IOException("safetensors: file shorter than the 8-byte header length");
        }
        long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
            throw new IOException("safetensors header length : " + headerLen + " (expected: 1.." + MAX_HEADER_BYTES + ")");
        }
        byte[] headerBytes = in.readNBytes((int) headerLen);
        if (headerBytes.length != headerLen) {
            throw new IOException("safetensors: truncated header (" + headerBytes.length + " of " + headerLen + " bytes)");
        }
        Object parsed = Json.parse(new String(headerBytes, StandardCharsets.UTF_8).strip());
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new IOException("safetensors header is not a JSON object");
        }
        byte[] body = in.readAllBytes();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                ((Map<?, ?>) e.getValue()).forEach((k, v) -> metadata.put((String) k, String.valueOf(v)));
                continue;
            }
            tensors.put(name, readTensor(name, (Map<?, ?>) e.getValue(), body));
        }
        return new Contents(tensors, metadata);
    }

    private static Tensor readTensor(String name, Map<?, ?> info, byte[] body) throws IOException {
        if (!"F32".equals(info.get("dtype"))) {
            throw new IOException("tensor " + name + " dtype : " + info.get("dtype") + " (expected: F32)");
        }
        List<?> dimsJson = (List<?>) info.get("shape");
        int[] dims = new int[dimsJson.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = Math.toIntExact(((Number) dimsJson.get(i)).longValue());
        }
        Shape shape = dims.length == 0 ? Shape.of(1) : Shape.of(dims);
        List<?> offsets = (List<?>) info.get("data_offsets");
        long begin = ((Number) offsets.get(0)).longValue();
        long end = ((Number) offsets.get(1)).longValue();
        if (begin < 0 || end > body.length || end - begin != 4L * shape.size()) {
            throw new IOException("tensor " + name + " data_offsets : [" + begin + ", " + end + "] (expected: "
                    + 4L * shape.size() + " bytes within a body of " + body.length + ")");
        }
        float[] values = new float[shape.size()];
        ByteBuffer.wrap(body, (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return new Tensor(shape, values, 0);
    }
}
