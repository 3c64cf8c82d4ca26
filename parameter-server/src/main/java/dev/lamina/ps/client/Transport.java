package dev.lamina.ps.client;

import dev.lamina.ps.protocol.TlsKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * How a client reaches a parameter server: plain TCP, or TLS that accepts only the server certificate
 * the driver handed out (pinned). Either way every wait is bounded by the connection's timeout, and
 * the job secret's HMAC challenge still runs inside. {@link #withInProcess(boolean)} lets a worker reach
 * a server embedded in its own JVM through memory instead ({@link InProcessServers}); no bytes then
 * cross a socket, so there is nothing for TLS to protect.
 */
public final class Transport {
    private static final Transport PLAIN = new Transport(null, false);
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final SSLContext tls;
    private final boolean inProcess;

    private Transport(SSLContext tls, boolean inProcess) {
        this.tls = tls;
        this.inProcess = inProcess;
    }

    /** Plain TCP. */
    public static Transport plain() {
        return PLAIN;
    }

    /** TLS 1.3 to a server whose certificate is {@code certificateDer} (DER), and no other. */
    public static Transport pinnedTls(byte[] certificateDer) {
        return new Transport(TlsKeys.pinnedClientContext(certificateDer), false);
    }

    /** Plain TCP for an empty {@code certificateDer}, else {@link #pinnedTls}. */
    public static Transport forCertificate(byte[] certificateDer) {
        Objects.requireNonNull(certificateDer, "certificateDer");
        return certificateDer.length == 0 ? plain() : pinnedTls(certificateDer);
    }

    public boolean encrypted() {
        return tls != null;
    }

    /**
     * This transport, but first looking for the server in this JVM ({@link InProcessServers}) when
     * {@code inProcess}: a worker there exchanges through memory, anyone else as before.
     */
    public Transport withInProcess(boolean inProcess) {
        return inProcess == this.inProcess ? this : new Transport(tls, inProcess);
    }

    /** Whether a server in this JVM is reached through memory. */
    public boolean inProcess() {
        return inProcess;
    }

    /**
     * Connects to {@code host:port} within {@code millis} and, with TLS, completes the handshake; the
     * channel blocks at most {@code millis} per wait.
     */
    ByteChannel open(String host, int port, int millis) throws IOException {
        SocketChannel channel = SocketChannel.open();
        ByteChannel open = channel;
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            channel.socket().connect(new InetSocketAddress(host, port), millis);
            open = new TimedChannel(channel, millis);
            if (tls == null) {
                return open;
            }
            try {
                return new TlsChannel(open, TlsKeys.engine(tls, true));
            } catch (SSLException e) {
                throw new SSLException("TLS handshake with the parameter server at " + host + ":" + port + " failed: "
                        + e.getMessage() + " (expected: a server started with the key store whose certificate the"
                        + " driver handed out)", e);
            }
        } catch (IOException | RuntimeException e) {
            try {
                open.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
