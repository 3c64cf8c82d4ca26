package dev.lamina.ps.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A non-blocking socket channel used as a blocking one with a timeout on every wait: reads return at
 * least one byte (or -1 at the end of the stream), writes write everything, and waiting longer than
 * the timeout for the peer throws {@link SocketTimeoutException}. Blocking NIO channels ignore
 * {@code SO_TIMEOUT}; this is why the selector. Direct buffers go to the kernel without a copy.
 */
final class TimedChannel implements ByteChannel {
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final long timeoutMillis;

    TimedChannel(SocketChannel channel, long timeoutMillis) throws IOException {
        this.channel = channel;
        this.timeoutMillis = timeoutMillis;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, 0);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (true) {
            int n = channel.read(dst);
            if (n != 0 || !dst.hasRemaining()) {
                return n;
            }
            await(SelectionKey.OP_READ, "reading");
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int total = 0;
        while (src.hasRemaining()) {
            int n = channel.write(src);
            total += n;
            if (n == 0) {
                await(SelectionKey.OP_WRITE, "writing");
            }
        }
        return total;
    }

    private void await(int op, String what) throws IOException {
        key.interestOps(op);
        int ready = selector.select(timeoutMillis);
        key.interestOps(0);
        selector.selectedKeys().clear();
        if (ready == 0) {
            throw new SocketTimeoutException(what + " timed out after " + timeoutMillis + " ms");
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
