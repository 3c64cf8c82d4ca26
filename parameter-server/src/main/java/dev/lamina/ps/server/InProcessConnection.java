package dev.lamina.ps.server;

import dev.lamina.ps.client.ParameterServerException;
import dev.lamina.ps.client.ShardConnection;
import dev.lamina.ps.compress.PushEncoder;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One worker's connection to a parameter server embedded in the same JVM ({@link
 * dev.lamina.ps.client.InProcessServers}). The worker's own thread hands its push to the aggregator; the
 * worker whose push completes a step applies it (sum, optimizer) and wakes the others, and each worker
 * copies the new parameters out of the step's shared payload itself. The aggregator's checks are the
 * ones a socket connection gets (worker id, step, exactly-once records, non-finite values), and a
 * compressed push is encoded and decoded exactly as on the wire, so training gives the same bits over
 * either path. No bytes cross a socket: {@link #bytesSent()} and {@link #bytesReceived()} stay 0.
 *
 * <p>A refusal is thrown as a {@link ParameterServerException} and leaves the connection usable; a wait
 * longer than the timeout, an interrupt or {@link #close()} (from any thread: a cancelled Spark task)
 * closes it, and a push still waiting for its step is withdrawn, as when a socket drops. Not
 * thread-safe otherwise: one worker thread per connection.
 */
final class InProcessConnection implements ShardConnection, Waiter {
    /**
     * How long a waiting worker spins (yielding now and then to any other thread that wants the core)
     * before it parks. Parking lets the core go idle, and on a virtual machine an idle vCPU halts: the
     * host may run other work on it, and the worker comes back to a cold cache. Measured on this
     * project's 2-core VM (LeNet, sync, 2 workers in Spark local mode): parking after 50 us gave 2
     * workers 1.33x and 1.38x of one, spinning through the wait 1.79x and 1.56x, side by side.
     */
    static final long SPIN_NANOS = 10_000_000;
    /** Spin iterations between two {@link Thread#yield()}s (about 20 us). */
    private static final int YIELD_EVERY = 1024;
    /** In the answer slot once the connection is closed. */
    private static final Reply<Waiter> CLOSED = new Reply.Refused<>(null,
            new Message.Failure(ErrorCode.INTERNAL, "connection closed"));

    private final ShardState shard;
    private final int workerId;
    private final int parameterCount;
    private final long timeoutNanos;
    private final Consumer<InProcessConnection> onClose;
    private final AtomicReference<Reply<Waiter>> answer = new AtomicReference<>();
    private volatile Thread owner;
    private float[] pushBuffer;
    /**
     * Whether a caller's own array was ever pushed: the aggregator may then hand that array back as a
     * spare, which must not become {@link #pushBuffer} (decoding into it would write the caller's array).
     */
    private boolean pushedCallersArray;

    /**
     * @param onClose gets this connection once when it closes (the endpoint forgets it)
     */
    InProcessConnection(ShardState shard, int workerId, long timeoutNanos, Consumer<InProcessConnection> onClose) {
        this.shard = shard;
        this.workerId = workerId;
        this.parameterCount = shard.aggregator().parameterCount();
        this.timeoutNanos = timeoutNanos;
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.pushBuffer = new float[parameterCount];
    }

    @Override
    public int parameterCount() {
        return parameterCount;
    }

    @Override
    public long pull(float[] dst) throws IOException {
        return pullRange(dst, 0);
    }

    @Override
    public long pullRange(float[] dst, int offset) throws IOException {
        Objects.checkFromIndexSize(offset, parameterCount, dst.length);
        begin();
        ServerHandler.deliver(shard.aggregator().pull(workerId, this));
        return read(await(), dst, offset);
    }

    @Override
    public long pushPull(int epoch, long step, long sequence, long dataOffset, PushEncoder encoder, float[] update,
                         float[] dst) throws IOException {
        Objects.requireNonNull(encoder, "encoder");
        checkLength("update", update);
        checkLength("dst", dst);
        if (encoder.codec().id() == 0) {
            return pushPullRange(epoch, step, sequence, dataOffset, update, dst, 0);
        }
        begin();
        encoder.codec().decode(encoder.encode(update), pushBuffer);
        return exchange(epoch, step, sequence, dataOffset, pushBuffer, dst, 0);
    }

    @Override
    public long pushPullRange(int epoch, long step, long sequence, long dataOffset, float[] update, float[] dst,
                              int offset) throws IOException {
        Objects.checkFromIndexSize(offset, parameterCount, update.length);
        Objects.checkFromIndexSize(offset, parameterCount, dst.length);
        begin();
        if (offset == 0 && update.length == parameterCount) {
            // the whole update: pushed as it is, not copied (83 us of 940 KB, cold, on the step's critical
            // path in the quick-start job). The aggregator reads it only while this thread waits below:
            // until the step completes, or the push is refused or withdrawn (timeout, close), after which
            // it never reads the array again.
            pushedCallersArray = true;
            return exchange(epoch, step, sequence, dataOffset, update, dst, offset);
        }
        System.arraycopy(update, offset, pushBuffer, 0, parameterCount);
        return exchange(epoch, step, sequence, dataOffset, pushBuffer, dst, offset);
    }

    /** Pushes {@code values} (this connection's {@link #pushBuffer} or the caller's whole update) and waits. */
    private long exchange(int epoch, long step, long sequence, long dataOffset, float[] values, float[] dst,
                          int offset) throws IOException {
        Reply.Outcome<Waiter> outcome = shard.aggregator().push(
                new Message.PushGradient(workerId, epoch, step, sequence, dataOffset, values), this);
        if (!pushedCallersArray && outcome.nextBuffer().length == parameterCount) {
            pushBuffer = outcome.nextBuffer();
        }
        ServerHandler.deliver(outcome.replies());
        return read(await(), dst, offset);
    }

    @Override
    public long[] acknowledged() {
        checkOpen();
        Progress p = shard.aggregator().progress(workerId);
        return new long[] {p.epoch(), p.sequence(), p.dataOffset()};
    }

    @Override
    public Message.Timing timing() {
        checkOpen();
        return shard.aggregator().timing(workerId);
    }

    @Override
    public long bytesSent() {
        return 0;
    }

    @Override
    public long bytesReceived() {
        return 0;
    }

    /** Takes the reply (the worker's thread is waiting for it, or will look soon) and wakes the worker. */
    @Override
    public void answer(Reply<Waiter> reply) {
        if (!answer.compareAndSet(null, reply)) {
            release(reply);
            return;
        }
        LockSupport.unpark(owner);
    }

    /** Closes the connection (idempotent, from any thread): a waiting worker wakes and fails. */
    @Override
    public void close() {
        Reply<Waiter> previous = answer.getAndSet(CLOSED);
        if (previous == CLOSED) {
            return;
        }
        if (previous != null) {
            release(previous);
        }
        if (shard.initialized()) {
            shard.aggregator().disconnected(workerId, this);
        }
        Thread waiting = owner;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
        onClose.accept(this);
    }

    /** Whether {@link #close()} ran. */
    boolean closed() {
        return answer.get() == CLOSED;
    }

    private void begin() {
        checkOpen();
        owner = Thread.currentThread();
    }

    private void checkOpen() {
        if (closed()) {
            throw new IllegalStateException("in-process connection of worker " + workerId + " is closed");
        }
    }

    /** Waits for this request's answer: spins a while, then parks until answered, closed or timed out. */
    private Reply<Waiter> await() throws IOException {
        long start = System.nanoTime();
        int spins = 0;
        while (true) {
            Reply<Waiter> r = answer.get();
            if (r == CLOSED) {
                throw new AsynchronousCloseException();
            }
            if (r != null) {
                if (answer.compareAndSet(r, null)) {
                    return r;
                }
                continue;
            }
            long waited = System.nanoTime() - start;
            if (waited < Math.min(SPIN_NANOS, timeoutNanos)) {
                if (++spins % YIELD_EVERY == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
                continue;
            }
            if (waited >= timeoutNanos) {
                close();
                throw new SocketTimeoutException("worker " + workerId + ": no answer from the in-process parameter"
                        + " server within " + java.time.Duration.ofNanos(timeoutNanos));
            }
            LockSupport.parkNanos(this, timeoutNanos - waited);
            if (Thread.currentThread().isInterrupted()) {
                close();
                throw new InterruptedIOException("worker " + workerId + " interrupted while waiting for the parameter"
                        + " server");
            }
        }
    }

    /** The parameters of an answer into {@code dst[offset, ...)}, or its refusal thrown. */
    private long read(Reply<Waiter> reply, float[] dst, int offset) throws IOException {
        if (reply instanceof Reply.Updated<Waiter> updated) {
            try {
                updated.params().copyTo(dst, offset);
                return updated.params().step();
            } finally {
                updated.params().release();
            }
        }
        Message.Failure failure = ((Reply.Refused<Waiter>) reply).failure();
        throw new ParameterServerException(failure.code(), failure.message());
    }

    private static void release(Reply<Waiter> reply) {
        if (reply instanceof Reply.Updated<Waiter> updated) {
            updated.params().release();
        }
    }

    private void checkLength(String name, float[] array) {
        Objects.requireNonNull(array, name);
        if (array.length != parameterCount) {
            throw new IllegalArgumentException(name + " length : " + array.length + " (expected: " + parameterCount
                    + ")");
        }
    }
}
