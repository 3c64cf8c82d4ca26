package dev.lamina.ps.client;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * A blocking byte channel through TLS: an {@link SSLEngine} over another blocking channel (a
 * {@link TimedChannel}, so every wait is bounded). The handshake runs in the constructor; reads
 * return at least one byte or -1, writes write everything. Data too short for the caller's buffer
 * waits in one application buffer; big reads decrypt straight into the caller's buffer. Not
 * thread-safe.
 */
final class TlsChannel implements ByteChannel {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final ByteChannel net;
    private final SSLEngine engine;
    /** Encrypted bytes read and not yet decrypted (write mode). */
    private ByteBuffer netIn;
    /** Encrypted bytes to send (cleared before each wrap). */
    private ByteBuffer netOut;
    /** Decrypted bytes the caller has not taken yet (read mode). */
    private ByteBuffer appIn;
    private boolean closed;

    TlsChannel(ByteChannel net, SSLEngine engine) throws IOException {
        this.net = net;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(packet);
        this.netOut = ByteBuffer.allocateDirect(packet);
        this.appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize()).flip();
        engine.beginHandshake();
        handshake();
    }

    /** Drives the handshake (and any post-handshake message) until the engine needs nothing more. */
    private void handshake() throws IOException {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrap(EMPTY);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (unwrap(appIn.compact()) < 0) {
                        appIn.flip();
                        throw new EOFException("the parameter server closed the connection during the TLS handshake"
                                + " (is it started with TLS? a plaintext server drops TLS clients)");
                    }
                    appIn.flip();
                }
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }

    /**
     * Decrypts one TLS record into {@code dst} (write mode), reading from the network as needed;
     * returns the bytes produced (maybe 0 for a record that carried no data) or -1 at the end of the
     * stream.
     */
    private int unwrap(ByteBuffer dst) throws IOException {
        while (true) {
            netIn.flip();
            SSLEngineResult result = engine.unwrap(netIn, dst);
            netIn.compact();
            switch (result.getStatus()) {
                case OK -> {
                    return result.bytesProduced();
                }
                case CLOSED -> {
                    return result.bytesProduced() > 0 ? result.bytesProduced() : -1;
                }
                case BUFFER_OVERFLOW -> throw new IllegalStateException("TLS record larger than the "
                        + dst.remaining() + "-byte buffer (expected: at most " + engine.getSession().getApplicationBufferSize() + ")");
                case BUFFER_UNDERFLOW -> {
                    if (!netIn.hasRemaining()) {
                        netIn = grown(netIn, engine.getSession().getPacketBufferSize());
                    }
                    if (net.read(netIn) < 0) {
                        if (netIn.position() > 0) {
                            throw new EOFException("the parameter server closed the connection in the middle of a TLS record");
                        }
                        return -1;
                    }
                }
                default -> throw new IllegalStateException("TLS unwrap: " + result);
            }
        }
    }

    /** Encrypts (part of) {@code src} into one record and sends it. */
    private void wrap(ByteBuffer src) throws IOException {
        while (true) {
            netOut.clear();
            SSLEngineResult result = engine.wrap(src, netOut);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocateDirect(Math.max(2 * netOut.capacity(), engine.getSession().getPacketBufferSize()));
                continue;
            }
            if (result.getStatus() == SSLEngineResult.Status.CLOSED && result.bytesProduced() == 0 && !closed) {
                throw new SSLException("the TLS session is closed");
            }
            netOut.flip();
            while (netOut.hasRemaining()) {
                net.write(netOut);
            }
            return;
        }
    }

    private static ByteBuffer grown(ByteBuffer buffer, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(2 * buffer.capacity(), atLeast));
        buffer.flip();
        bigger.put(buffer);
        return bigger;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        while (!appIn.hasRemaining()) {
            boolean direct = dst.remaining() >= engine.getSession().getApplicationBufferSize();
            int n = direct ? unwrap(dst) : unwrap(appIn.compact());
            if (!direct) {
                appIn.flip();
            }
            if (n < 0) {
                return -1;
            }
            if (engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                    && engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.FINISHED) {
                handshake();
            }
            if (direct && n > 0) {
                return n;
            }
        }
        int n = Math.min(dst.remaining(), appIn.remaining());
        ByteBuffer slice = appIn.slice(appIn.position(), n);
        dst.put(slice);
        appIn.position(appIn.position() + n);
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int total = src.remaining();
        while (src.hasRemaining()) {
            wrap(src);
        }
        return total;
    }

    @Override
    public boolean isOpen() {
        return net.isOpen();
    }

    /** Sends close_notify when it can (without waiting for the peer's), then closes the network channel. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            engine.closeOutbound();
            if (net.isOpen()) {
                wrap(EMPTY);
            }
        } catch (IOException | RuntimeException e) {
            // best effort: the connection is going away either way
        } finally {
            net.close();
        }
    }
}
