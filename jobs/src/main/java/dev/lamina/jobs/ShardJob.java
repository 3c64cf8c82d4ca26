package dev.lamina.jobs;

import dev.lamina.ps.protocol.Secrets;
import dev.lamina.ps.protocol.TlsKeys;
import dev.lamina.ps.server.ParameterServer;
import dev.lamina.ps.server.ServerConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;

/**
 * {@code ps --port P --secret-file F [--host H] [--max-frame-bytes N] [--tls-keystore K --tls-password-file W]}:
 * one standalone parameter-server shard (with TLS when a key store is given). It listens, prints {@code lamina ps: listening on HOST:PORT} (the bound port when P is 0) and
 * waits for a driver, which authenticates with the secret in F (hex, not readable by other users),
 * sends the shard its parameter range, initial state and mode, and reads the parameters and
 * snapshots back. Workers are refused until then. It serves one job and runs until stopped (SIGTERM,
 * Ctrl-C). No Spark.
 */
public final class ShardJob {
    private static final Set<String> OPTIONS = Set.of("port", "secret-file", "host", "max-frame-bytes", "tls-keystore",
            "tls-password-file");

    /**
     * What to start.
     *
     * @param host          the address to bind ({@code 0.0.0.0}: every interface)
     * @param port          the port, 0 for an ephemeral one
     * @param secretFile    the job secret's file
     * @param maxFrameBytes the largest frame the shard accepts (its init frame included)
     * @param tls           the PKCS12 key store and its password file for TLS, or empty for plain TCP
     */
    record ShardArgs(String host, int port, Path secretFile, int maxFrameBytes, Optional<TlsFiles> tls) {

        static ShardArgs parse(String[] args) {
            JobArgs parsed = JobArgs.parse(args, OPTIONS);
            if (!parsed.overrides().isEmpty()) {
                throw new IllegalArgumentException("--set " + parsed.overrides().get(0) + " (expected: no --set for ps)");
            }
            Map<String, String> o = parsed.options();
            int port = JobArgs.integer(o, "port", -1);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port " + o.getOrDefault("port", "(missing)")
                        + " (expected: a port in [0, 65535], 0 for any free port)");
            }
            return new ShardArgs(o.getOrDefault("host", "0.0.0.0"), port, Path.of(parsed.required("secret-file")),
                    JobArgs.integer(o, "max-frame-bytes", ServerConfig.DEFAULT_MAX_FRAME_BYTES), TlsFiles.parse(o));
        }

    }

    /** A PKCS12 key store and the file with its password ({@code --tls-keystore}, {@code --tls-password-file}). */
    record TlsFiles(Path keyStore, Path passwordFile) {

        /** The two options, both or neither (empty: plain TCP). */
        static Optional<TlsFiles> parse(Map<String, String> options) {
            String store = options.get("tls-keystore");
            String password = options.get("tls-password-file");
            if ((store == null) != (password == null)) {
                throw new IllegalArgumentException(store != null
                        ? "--tls-keystore " + store + " without --tls-password-file (expected: both or neither)"
                        : "--tls-password-file " + password + " without --tls-keystore (expected: both or neither)");
            }
            return store == null ? Optional.empty() : Optional.of(new TlsFiles(Path.of(store), Path.of(password)));
        }
    }

    private ShardJob() {
    }

    public static void main(String[] args) {
        try {
            ParameterServer shard = start(ShardArgs.parse(args));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                shard.close();
                stopped.countDown();
            }, "lamina-ps-shutdown"));
            stopped.await();
        } catch (Throwable t) {
            Jobs.fail("ps", t);
        }
    }

    /** Reads the secret and binds the shard; prints where it listens. */
    static ParameterServer start(ShardArgs args) throws java.io.IOException {
        byte[] secret = Secrets.readFile(args.secretFile());
        Optional<SSLContext> tls = args.tls().isPresent()
                ? Optional.of(TlsKeys.read(args.tls().get().keyStore(), args.tls().get().passwordFile()).serverContext())
                : Optional.empty();
        ParameterServer shard = ParameterServer.startShard(args.host(), args.port(), args.maxFrameBytes(), secret, tls);
        System.out.println("lamina ps: listening on " + args.host() + ":" + shard.address().getPort()
                + (tls.isPresent() ? " with TLS (key store " + args.tls().get().keyStore() + ")" : "")
                + " (waiting for a driver; secret from " + args.secretFile() + ")");
        System.out.flush();
        return shard;
    }
}
