package dev.lamina.ps.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsKeysTest {

    @Test
    void readsTheKeyStoreAndItsCertificate(@TempDir Path dir) throws Exception {
        TestKeyStores.KeyStoreFiles files = TestKeyStores.generate(dir, "ps-test");
        TlsKeys keys = TlsKeys.read(files.keyStore(), files.passwordFile());
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(keys.certificate()));
        assertEquals("CN=ps-test", cert.getSubjectX500Principal().getName());
        assertArrayEquals(keys.certificate(), keys.certificate(), "the same DER every time");
        SSLEngine server = TlsKeys.engine(keys.serverContext(), false);
        assertArrayEquals(new String[] {"TLSv1.3"}, server.getEnabledProtocols());
        SSLEngine client = TlsKeys.engine(TlsKeys.pinnedClientContext(keys.certificate()), true);
        assertTrue(client.getUseClientMode());
    }

    @Test
    void refusesAWrongPasswordNamingTheFile(@TempDir Path dir) throws Exception {
        TestKeyStores.KeyStoreFiles files = TestKeyStores.generate(dir, "ps-test");
        Path wrong = dir.resolve("wrong.password");
        Files.writeString(wrong, "not-the-password\n");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsKeys.read(files.keyStore(), wrong));
        assertTrue(e.getMessage().contains(files.keyStore().toString()) && e.getMessage().contains("password"),
                e.getMessage());
    }

    @Test
    void refusesAPasswordFileEveryUserCanRead(@TempDir Path dir) throws Exception {
        TestKeyStores.KeyStoreFiles files = TestKeyStores.generate(dir, "ps-test");
        Files.setPosixFilePermissions(files.passwordFile(), PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsKeys.read(files.keyStore(), files.passwordFile()));
        assertTrue(e.getMessage().contains("readable by every user"), e.getMessage());
    }

    @Test
    void refusesAMissingKeyStoreWithTheCommandThatMakesOne(@TempDir Path dir) throws Exception {
        TestKeyStores.KeyStoreFiles files = TestKeyStores.generate(dir, "ps-test");
        Path missing = dir.resolve("nope.p12");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsKeys.read(missing, files.passwordFile()));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("keytool -genkeypair"),
                e.getMessage());
    }

    @Test
    void refusesAStoreWithTwoKeys(@TempDir Path dir) throws Exception {
        TestKeyStores.KeyStoreFiles files = TestKeyStores.generate(dir, "first");
        TestKeyStores.addKeyPair(files.keyStore(), new String(TestKeyStores.password(files)), "second");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsKeys.read(files.keyStore(), files.passwordFile()));
        assertTrue(e.getMessage().contains("2 private key entries") && e.getMessage().contains("exactly one"),
                e.getMessage());
    }

    @Test
    void refusesBytesThatAreNotACertificate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsKeys.pinnedClientContext(new byte[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("3 bytes that are not an X.509 certificate"), e.getMessage());
    }
}
