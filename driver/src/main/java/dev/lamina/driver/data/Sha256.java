package dev.lamina.driver.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** SHA-256 digests of files, as lower-case hex, and verification against a pinned digest. */
public final class Sha256 {

    private static final int BUFFER_BYTES = 1 << 16;

    private Sha256() {
    }

    /** A fresh SHA-256 {@link MessageDigest}; every Java platform must provide one. */
    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    /** The SHA-256 of the file's bytes, as 64 lower-case hex digits. */
    public static String hex(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Checks the file's SHA-256 against {@code expectedHex} (case-insensitive).
     *
     * @throws IOException naming the file, the expected and the actual digest if they differ
     */
    public static void verify(Path file, String expectedHex) throws IOException {
        if (expectedHex == null || !expectedHex.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("expectedHex : " + expectedHex + " (expected: 64 hex digits)");
        }
        String actual = hex(file);
        if (!actual.equals(expectedHex.toLowerCase(Locale.ROOT))) {
            throw new IOException("SHA-256 mismatch in " + file + ": " + actual
                    + " (expected: " + expectedHex.toLowerCase(Locale.ROOT) + ")");
        }
    }
}
