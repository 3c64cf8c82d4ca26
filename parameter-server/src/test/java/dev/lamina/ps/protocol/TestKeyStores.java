package dev.lamina.ps.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test key stores made with the JDK's keytool: a PKCS12 store with a self-signed EC key pair, and
 * its password in an owner-only file, as an operator would make them (README shows the command).
 * Shared with the integration tests through this module's test jar.
 */
public final class TestKeyStores {

    /** A key store and the file holding its password. */
    public record KeyStoreFiles(Path keyStore, Path passwordFile) {
    }

    private TestKeyStores() {
    }

    /** A fresh store {@code dir/name.p12} with one key entry {@code name} (CN=name), valid for 2 days. */
    public static KeyStoreFiles generate(Path dir, String name) throws IOException, InterruptedException {
        Path store = dir.resolve(name + ".p12");
        Path passwordFile = dir.resolve(name + ".password");
        String password = "pw-" + Secrets.toHex(Secrets.randomBytes(8));
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        addKeyPair(store, password, name);
        return new KeyStoreFiles(store, passwordFile);
    }

    /** Adds a key entry {@code alias} to {@code store} (created when missing). */
    public static void addKeyPair(Path store, String password, String alias) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", alias, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + alias, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", password, "-keypass", password, "-noprompt"))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }

    /** The password in {@code files}. */
    public static char[] password(KeyStoreFiles files) throws IOException {
        return Files.readAllLines(files.passwordFile(), StandardCharsets.UTF_8).get(0).toCharArray();
    }
}
