package dev.lamina.driver.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {

    /** SHA-256("abc") from FIPS 180-2, appendix B.1. */
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @TempDir
    Path tmp;

    @Test
    void hexMatchesTheStandardVector() throws IOException {
        Path file = Files.write(tmp.resolve("abc"), "abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(ABC, Sha256.hex(file));
        Sha256.verify(file, ABC);
        Sha256.verify(file, ABC.toUpperCase());
    }

    @Test
    void mismatchNamesFileExpectedAndActual() throws IOException {
        Path file = Files.write(tmp.resolve("abd"), "abd".getBytes(StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> Sha256.verify(file, ABC));
        assertEquals("SHA-256 mismatch in " + file + ": " + Sha256.hex(file) + " (expected: " + ABC + ")",
                e.getMessage());
    }

    @Test
    void malformedExpectedDigestIsRejected() throws IOException {
        Path file = Files.write(tmp.resolve("f"), new byte[1]);
        assertThrows(IllegalArgumentException.class, () -> Sha256.verify(file, "abc"));
    }
}
