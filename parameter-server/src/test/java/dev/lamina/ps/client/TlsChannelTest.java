package dev.lamina.ps.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.ps.protocol.TestKeyStores;
import dev.lamina.ps.protocol.TlsKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsChannel} between a client and a server engine over two in-memory pipes (no sockets): the
 * handshake, bytes both ways in sizes around and far beyond a TLS record, reads into buffers smaller
 * than a record, the end of the stream, and a client pinned to another certificate.
 */
class TlsChannelTest {

    /** One direction of each pipe, as a duplex channel. */
    private record Duplex(Pipe.SourceChannel in, Pipe.SinkChannel out) implements ByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return in.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return out.write(src);
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() throws IOException {
            out.close();
            in.close();
        }
    }

    private static TlsChannel[] connect(SSLContext serverContext, SSLContext clientContext) throws Exception {
        Pipe toServer = Pipe.open();
        Pipe toClient = Pipe.open();
        CompletableFuture<TlsChannel> server = CompletableFuture.supplyAsync(() -> {
            try {
                return new TlsChannel(new Duplex(toServer.source(), toClient.sink()), TlsKeys.engine(serverContext, false));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Duplex clientSide = new Duplex(toClient.source(), toServer.sink());
        try {
            TlsChannel client = new TlsChannel(clientSide, TlsKeys.engine(clientContext, true));
            return new TlsChannel[] {client, server.get(30, TimeUnit.SECONDS)};
        } catch (IOException e) {
            clientSide.close(); // the server's handshake then ends too, instead of waiting forever
            throw e;
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    /** Reads exactly {@code n} bytes through buffers of {@code chunk} bytes. */
    private static byte[] readFully(TlsChannel channel, int n, int chunk) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(n);
        ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
        while (all.hasRemaining()) {
            buf.clear().limit(Math.min(chunk, all.remaining()));
            int got = channel.read(buf);
            if (got < 0) {
                throw new IOException("end of stream after " + all.position() + " of " + n + " bytes");
            }
            all.put(buf.flip());
        }
        return all.array();
    }

    @Test
    void bytesCrossBothWaysInEverySize(@TempDir Path dir) throws Exception {
        TlsKeys keys = TlsKeys.read(TestKeyStores.generate(dir, "ps").keyStore(), dir.resolve("ps.password"));
        TlsChannel[] pair = connect(keys.serverContext(), TlsKeys.pinnedClientContext(keys.certificate()));
        TlsChannel client = pair[0];
        TlsChannel server = pair[1];
        int[] sizes = {1, 7, 16_384, 16_385, 100_000, 3 << 20};
        int[] chunks = {1, 100, 1 << 20};
        for (int size : sizes) {
            for (int chunk : chunks) {
                byte[] up = random(size, size * 31L + chunk);
                CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
                    try {
                        assertEquals(up.length, client.write(ByteBuffer.wrap(up)));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertArrayEquals(up, readFully(server, size, chunk), "client to server, " + size + " bytes by " + chunk);
                send.get(60, TimeUnit.SECONDS);
                byte[] down = random(size, size * 17L + chunk);
                CompletableFuture<Void> reply = CompletableFuture.runAsync(() -> {
                    try {
                        server.write(ByteBuffer.wrap(down));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertArrayEquals(down, readFully(client, size, chunk), "server to client, " + size + " bytes by " + chunk);
                reply.get(60, TimeUnit.SECONDS);
            }
        }
        server.close();
        assertEquals(-1, client.read(ByteBuffer.allocate(10)), "the server's close_notify ends the client's stream");
        client.close();
    }

    @Test
    void aClientPinnedToAnotherCertificateFailsTheHandshake(@TempDir Path dir) throws Exception {
        TlsKeys keys = TlsKeys.read(TestKeyStores.generate(dir, "ps").keyStore(), dir.resolve("ps.password"));
        TlsKeys other = TlsKeys.read(TestKeyStores.generate(dir, "impostor").keyStore(), dir.resolve("impostor.password"));
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> connect(other.serverContext(), TlsKeys.pinnedClientContext(keys.certificate())));
        assertTrue(String.valueOf(e.getMessage()).contains("certification path") || String.valueOf(e.getMessage())
                .contains("certificate"), String.valueOf(e));
    }
}
