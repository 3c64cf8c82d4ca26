package dev.lamina.worker;

import java.io.Serializable;

/**
 * Optional TLS between workers, the driver and the parameter server ({@code training.tls}), on top of
 * the per-job HMAC authentication. The embedded server (or each standalone shard, started with the
 * same key store) presents the key store's certificate; the driver reads that certificate and hands
 * it to the workers, which accept no other.
 *
 * @param keyStore     a PKCS12 key store with the server's private key and certificate, read on the
 *                     driver; empty = plain TCP
 * @param passwordFile the file whose first line is the key store's password (not readable by other
 *                     users); empty exactly when {@code keyStore} is
 */
public record TlsConfig(String keyStore, String passwordFile) implements Serializable {

    public TlsConfig {
        keyStore = keyStore == null ? "" : keyStore.trim();
        passwordFile = passwordFile == null ? "" : passwordFile.trim();
        if (keyStore.isEmpty() != passwordFile.isEmpty()) {
            throw new IllegalArgumentException(keyStore.isEmpty()
                    ? "training.tls.passwordFile : " + passwordFile + " with no training.tls.keyStore (expected: both"
                            + " or neither)"
                    : "training.tls.passwordFile : empty with training.tls.keyStore " + keyStore + " (expected: the"
                            + " file holding the key store's password)");
        }
    }

    /** Plain TCP. */
    public static TlsConfig off() {
        return new TlsConfig("", "");
    }

    public boolean enabled() {
        return !keyStore.isEmpty();
    }
}
