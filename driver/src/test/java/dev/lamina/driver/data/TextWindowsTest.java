package dev.lamina.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packing lines into windows: the stream, the overlap of one id, the dropped tail, the vocabulary. */
class TextWindowsTest {

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void linesBecomeOneStreamCutEveryLengthCharacters() {
        // Stream "ab\ncdef\ng\n" (10 ids), windows of 3 + 1, one every 3: "ab\nc", "\ncde", "ef\ng"; "g\n" is dropped.
        List<byte[]> w = TextWindows.windows(List.of("ab", "cdef", "g"), 3, 128);
        assertEquals(List.of("ab\nc", "cdef", "f\ng\n"), w.stream().map(TextWindowsTest::ascii).toList());
    }

    @Test
    void everyCharacterButTheFirstIsATargetOnce() {
        List<String> lines = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            String line = "line " + i + " " + "x".repeat(i % 17);
            lines.add(line);
            all.append(line).append('\n');
        }
        int length = 16;
        List<byte[]> w = TextWindows.windows(lines, length, 128);
        StringBuilder targets = new StringBuilder();
        for (byte[] window : w) {
            assertEquals(length + 1, window.length);
            targets.append(ascii(window).substring(1));
        }
        int whole = (all.length() - 1) / length;
        assertEquals(whole, w.size());
        assertEquals(all.substring(1, 1 + whole * length), targets.toString());
    }

    @Test
    void charactersOutsideTheVocabularyBecomeAQuestionMark() {
        byte[] w = TextWindows.windows(List.of("caf\u00e9 \u2014 ok"), 8, 128).get(0);
        assertArrayEquals("caf? ? o".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(w, 8));
        assertEquals((byte) 0xE9, TextWindows.id('\u00e9', 256));
    }
}
