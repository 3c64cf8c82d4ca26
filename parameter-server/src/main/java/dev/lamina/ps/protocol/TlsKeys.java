package dev.lamina.ps.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;

/**
 * Optional TLS for parameter-server connections, on top of (not instead of) the HMAC authentication.
 * The server's identity is a PKCS12 key store holding one private key and its certificate; clients
 * pin that one certificate (it is the only trust anchor they accept), so no certificate authority or
 * host name is involved: the driver reads the certificate from the key store and hands it to the
 * workers with the job secret. Only TLS 1.3 is offered.
 */
public final class TlsKeys {
    /** The one protocol version offered and accepted. */
    public static final String PROTOCOL = "TLSv1.3";

    private final byte[] keyStore;
    private final char[] password;
    private final String alias;

    private TlsKeys(byte[] keyStore, char[] password, String alias) {
        this.keyStore = keyStore;
        this.password = password;
        this.alias = alias;
    }

    /**
     * Reads a PKCS12 key store and its password (the first line of {@code passwordFile}). Refuses,
     * naming the file and what is wrong: a missing file, a password file readable by every user, a
     * wrong password, or a store without exactly one private key entry.
     */
    public static TlsKeys read(Path keyStoreFile, Path passwordFile) throws IOException {
        Objects.requireNonNull(keyStoreFile, "keyStoreFile");
        Objects.requireNonNull(passwordFile, "passwordFile");
        if (!Files.isRegularFile(keyStoreFile)) {
            throw new IllegalArgumentException("TLS key store " + keyStoreFile + " : no such file (expected: a PKCS12"
                    + " key store with the server's key and certificate, e.g. made with: keytool -genkeypair -alias"
                    + " lamina-ps -keyalg EC -groupname secp256r1 -dname CN=lamina-ps -validity 365 -storetype PKCS12"
                    + " -keystore " + keyStoreFile + ")");
        }
        if (!Files.isRegularFile(passwordFile)) {
            throw new IllegalArgumentException("TLS password file " + passwordFile + " : no such file (expected: a file"
                    + " whose first line is the key store's password)");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(passwordFile, PosixFileAttributeView.class);
        if (posix != null && posix.readAttributes().permissions().contains(PosixFilePermission.OTHERS_READ)) {
            throw new IllegalArgumentException("TLS password file " + passwordFile + " : readable by every user"
                    + " (expected: no access for others, e.g. chmod 600 " + passwordFile + ")");
        }
        List<String> lines = Files.readAllLines(passwordFile, StandardCharsets.UTF_8);
        char[] password = (lines.isEmpty() ? "" : lines.get(0)).toCharArray();
        return of(Files.readAllBytes(keyStoreFile), password, keyStoreFile.toString());
    }

    /** A key store's bytes and password; {@code name} is used in messages. */
    public static TlsKeys of(byte[] pkcs12, char[] password, String name) {
        KeyStore store = load(pkcs12, password, name);
        try {
            List<String> keys = new ArrayList<>();
            for (String a : Collections.list(store.aliases())) {
                if (store.isKeyEntry(a)) {
                    keys.add(a);
                }
            }
            if (keys.size() != 1) {
                throw new IllegalArgumentException("TLS key store " + name + " : " + keys.size() + " private key entries "
                        + keys + " (expected: exactly one, the server's)");
            }
            if (!(store.getCertificate(keys.get(0)) instanceof X509Certificate)) {
                throw new IllegalArgumentException("TLS key store " + name + " : the key entry " + keys.get(0)
                        + " has no X.509 certificate (expected: one)");
            }
            return new TlsKeys(pkcs12.clone(), password.clone(), keys.get(0));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS key store " + name + " : " + e.getMessage(), e);
        }
    }

    private static KeyStore load(byte[] pkcs12, char[] password, String name) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(pkcs12), password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS key store " + name + " : cannot open it (" + e.getMessage()
                    + "; expected: a PKCS12 key store and its password)", e);
        }
    }

    /** The server certificate (DER), which clients pin. */
    public byte[] certificate() {
        try {
            return load(keyStore, password, alias).getCertificate(alias).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the certificate of " + alias, e);
        }
    }

    /** A server-side TLS context with this key and certificate. */
    public SSLContext serverContext() {
        try {
            KeyStore store = load(keyStore, password, alias);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS key store entry " + alias + " : " + e.getMessage(), e);
        }
    }

    /**
     * A client-side TLS context that accepts exactly the server certificate {@code certificateDer}
     * (it is the only trust anchor; its validity period is checked).
     */
    public static SSLContext pinnedClientContext(byte[] certificateDer) {
        Objects.requireNonNull(certificateDer, "certificateDer");
        try {
            Certificate certificate = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificateDer));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("lamina-ps", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("pinned server certificate : " + certificateDer.length
                    + " bytes that are not an X.509 certificate (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** An engine of {@code context} for one connection, TLS 1.3 only. */
    public static SSLEngine engine(SSLContext context, boolean client) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(client);
        engine.setEnabledProtocols(new String[] {PROTOCOL});
        return engine;
    }
}
