package dev.lamina.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.engine.tensor.Shape;
import dev.lamina.engine.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafetensorsTest {

    @Test
    void roundTripIsBitExactIncludingSpecialValues() throws IOException {
        float[] flat = {1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, 3.14159f, Float.NaN, 7f, -2f, 1e-30f};
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", new Tensor(Shape.of(2, 3), flat, 0));
        tensors.put("a.bias", new Tensor(Shape.of(3), flat, 6));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, tensors, Map.of("format", "pt"));
        Safetensors.Contents back = Safetensors.read(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(List.of("a.weight", "a.bias"), List.copyOf(back.tensors().keySet()));
        for (String name : tensors.keySet()) {
            float[] expected = tensors.get(name).toArray();
            float[] actual = back.tensors().get(name).toArray();
            assertEquals(tensors.get(name).shape(), back.tensors().get(name).shape());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), name + "[" + i + "]");
            }
        }
        assertEquals("pt", back.metadata().get("format"));
    }

    @Test
    void layoutIsThePublicOne() throws IOException {
        Map<String, Tensor> tensors = Map.of("w", new Tensor(Shape.of(2), new float[] {1f, 2f}, 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, tensors, Map.of());
        byte[] bytes = out.toByteArray();
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = bb.getLong();
        assertEquals(0, headerLen % 8);
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8).strip();
        assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", header);
        assertEquals(8 + headerLen + 8, bytes.length);
        bb.position((int) (8 + headerLen));
        assertEquals(1f, bb.getFloat());
        assertEquals(2f, bb.getFloat());
    }

    @Test
    void absurdHeaderLengthIsRefused() {
        byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        assertThrows(IOException.class, () -> Safetensors.read(new ByteArrayInputStream(bytes)));
    }

    @Test
    void jsonRoundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n");
        m.put("n", 3L);
        m.put("d", 0.25);
        m.put("l", List.of(1L, true, "x"));
        m.put("z", null);
        assertEquals(m, Json.parse(Json.write(m)));
        assertEquals(m, Json.parse(Json.writePretty(m)));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,}"));
    }
}
