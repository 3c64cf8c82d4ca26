package dev.lamina.ps.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 challenge-response both sides run. The client proves it knows the job secret with
 * {@code HMAC(secret, "lamina-client" | serverNonce | clientNonce | workerId)}; the server answers with
 * {@code HMAC(secret, "lamina-server" | clientNonce | serverNonce)}. The distinct labels stop one side's
 * tag from being replayed as the other's; the fresh nonces stop replays across connections.
 */
public final class Authenticator {
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] CLIENT_LABEL = "lamina-client".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_LABEL = "lamina-server".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;

    /** An authenticator for {@code secret} (at least {@link Secrets#MIN_SECRET_BYTES} bytes; copied). */
    public Authenticator(byte[] secret) {
        Secrets.check(secret);
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
    }

    /** The tag a client with {@code workerId} sends in its {@link Message.Hello}. */
    public byte[] clientMac(byte[] serverNonce, byte[] clientNonce, int workerId) {
        byte[] id = ByteBuffer.allocate(4).putInt(workerId).array();
        return mac(CLIENT_LABEL, serverNonce, clientNonce, id);
    }

    /** The tag the server sends in its {@link Message.AuthOk}. */
    public byte[] serverMac(byte[] clientNonce, byte[] serverNonce) {
        return mac(SERVER_LABEL, clientNonce, serverNonce);
    }

    /** Compares two tags in time independent of where they differ. */
    public static boolean matches(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    private byte[] mac(byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
