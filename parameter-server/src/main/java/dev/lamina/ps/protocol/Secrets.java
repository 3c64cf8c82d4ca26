package dev.lamina.ps.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
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

    /**
     * The secret in {@code file}: hex (as {@link #toHex} writes it), surrounding white space ignored.
     * Refuses, naming the file and what is wrong, a file that is missing, empty, not hex, too short, or
     * readable by every user (on file systems with POSIX permissions: the secret is what keeps other
     * users off the parameter server).
     */
    public static byte[] readFile(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("secret file " + file + " : no such file (expected: a file holding"
                    + " the job secret in hex, e.g. made with: (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \\n' > " + file + "))");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null && posix.readAttributes().permissions().contains(PosixFilePermission.OTHERS_READ)) {
            throw new IllegalArgumentException("secret file " + file + " : readable by every user (expected: no"
                    + " access for others, e.g. chmod 600 " + file + ")");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("secret file " + file + " : empty (expected: the job secret in hex, >= "
                    + 2 * MIN_SECRET_BYTES + " hex digits)");
        }
        byte[] secret;
        try {
            secret = fromHex(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret file " + file + " : not hex (" + e.getMessage() + ")", e);
        }
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("secret file " + file + " : " + secret.length + " bytes (expected: >= "
                    + MIN_SECRET_BYTES + ")");
        }
        return secret;
    }
}
