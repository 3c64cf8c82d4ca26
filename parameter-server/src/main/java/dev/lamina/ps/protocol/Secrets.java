package dev.lamina.ps.protocol;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The per-job shared secret that authenticates workers and the server to each other. It travels to
 * Spark tasks as a hex string in the task closure.
 */
public final class Secrets {
    /** Length of a new secret, in bytes. */
    public static final int SECRET_BYTES = 32;
    /** Shorter secrets are refused. */
    public static final int MIN_SECRET_BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** A fresh random secret of {@link #SECRET_BYTES} bytes. */
    public static byte[] newSecret() {
        return randomBytes(SECRET_BYTES);
    }

    /** {@code length} bytes from a {@link SecureRandom} (nonces, secrets). */
    public static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** Lower-case hex, two characters per byte. */
    public static String toHex(byte[] secret) {
        return HexFormat.of().formatHex(Objects.requireNonNull(secret, "secret"));
    }

    /** The bytes of a hex string made by {@link #toHex}; throws {@link IllegalArgumentException} if malformed. */
    public static byte[] fromHex(String hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() % 2 != 0) {
            throw new IllegalArgumentException("hex : " + hex.length() + " chars (expected: an even number)");
        }
        return HexFormat.of().parseHex(hex);
    }

    /** Throws {@link IllegalArgumentException} unless {@code secret} is long enough to be a job secret. */
    public static void check(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("secret : " + secret.length + " bytes (expected: >= "
                    + MIN_SECRET_BYTES + ")");
        }
    }
}
