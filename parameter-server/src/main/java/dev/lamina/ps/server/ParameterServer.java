package dev.lamina.ps.server;

import dev.lamina.engine.optim.Optimizer;
import dev.lamina.engine.optim.OptimizerConfig;
import dev.lamina.ps.checkpoint.Checkpoint;
import dev.lamina.ps.checkpoint.CheckpointSink;
import dev.lamina.ps.checkpoint.JobState;
import dev.lamina.ps.client.InProcessServers;
import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.TlsKeys;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * A running parameter server in the config's mode: embedded (one shard holding all parameters, from
 * {@link #start}) or a standalone shard that the driver initialises over the protocol ({@link #startShard}). Start it with
 * {@link #start}, hand {@link #address()} and the secret to the workers, and close it when the job ends.
 * Its threads are daemons.
 */
public final class ParameterServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ParameterServer.class.getName());
    /** How long a connection may stay open without authenticating. */
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(30);
    /** Socket buffers: large enough that a multi-MB write or read rarely waits for the other side. */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;
    private final ShardState shard;
    private final ScheduledFuture<?> timeoutCheck;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile PeriodicCheckpoints periodic;
    /** Workers in this JVM reach an embedded server through memory ({@link InProcessServers}). */
    private final InProcessEndpoint inProcess;
    private final Runnable unregister;

    private ParameterServer(EventLoopGroup bossGroup, EventLoopGroup workerGroup, Channel serverChannel,
                            ShardState shard, Duration stepTimeout, Authenticator authenticator) {
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.serverChannel = serverChannel;
        this.shard = shard;
        // Only an embedded server (initialised from the start) is offered in-process; standalone shards
        // serve workers in other processes.
        this.inProcess = shard.initialized() ? new InProcessEndpoint(authenticator, shard) : null;
        this.unregister = inProcess == null ? () -> { }
                : InProcessServers.register(((InetSocketAddress) serverChannel.localAddress()).getPort(), inProcess);
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(stepTimeout.toNanos() / 4, TimeUnit.SECONDS.toNanos(1)));
        this.timeoutCheck = workerGroup.scheduleAtFixedRate(() -> ServerHandler.deliver(shard.expire()),
                period, period, TimeUnit.NANOSECONDS);
    }

    /**
     * Binds a server for {@code initialParameters} (copied) that steps with {@code optimizer} (whose
     * state it then owns) and authenticates workers with {@code secret}.
     *
     * @throws IllegalArgumentException if the parameters need larger frames than {@code config} allows,
     *                                  or the secret, parameters or optimizer are unusable
     * @throws IOException              if the address cannot be bound
     */
    public static ParameterServer start(ServerConfig config, byte[] secret, float[] initialParameters,
                                        Optimizer optimizer) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(initialParameters, "initialParameters");
        Authenticator authenticator = new Authenticator(secret);
        long pushFrame = checkFrames(config, initialParameters.length);
        return bind(config, authenticator, pushFrame, newAggregator(config, initialParameters, optimizer));
    }

    /**
     * Binds a standalone shard on {@code host:port} (port 0: ephemeral) that waits for a driver: the
     * driver authenticates with {@code secret} as {@link dev.lamina.ps.protocol.Message#DRIVER_ID} and
     * sends the shard's parameter range, starting state and mode ({@link
     * dev.lamina.ps.protocol.Message.ShardInit}); workers are refused with {@code NOT_INITIALIZED} until
     * then. {@code maxFrameBytes} caps every frame, the init frame included.
     *
     * @throws IOException if the address cannot be bound
     */
    public static ParameterServer startShard(String host, int port, int maxFrameBytes, byte[] secret)
            throws IOException {
        return startShard(host, port, maxFrameBytes, secret, Optional.empty());
    }

    /** As {@link #startShard(String, int, int, byte[])}, with TLS on every connection when {@code tls} is given. */
    public static ParameterServer startShard(String host, int port, int maxFrameBytes, byte[] secret,
                                             Optional<SSLContext> tls) throws IOException {
        ServerConfig config = new ServerConfig(host, port, Runtime.getRuntime().availableProcessors(), maxFrameBytes,
                Duration.ofMillis(400), ServerConfig.Mode.SYNC, 0, tls);
        return bind(config, new Authenticator(secret), ShardState.awaitingInit(maxFrameBytes));
    }

    /**
     * Binds a server that continues from {@code checkpoint}: the same parameters, optimizer state and
     * step count, step and per-worker exactly-once records, so the next update is bitwise the one the
     * checkpointed server would have made.
     *
     * @param optimizerConfig the job's optimizer; its type must be the checkpoint's
     * @throws IllegalArgumentException if the checkpoint does not fit the config (worker count, optimizer
     *                                  type or state shape) or the secret is unusable
     * @throws IOException              if the address cannot be bound
     */
    public static ParameterServer restore(ServerConfig config, byte[] secret, Checkpoint checkpoint,
                                          OptimizerConfig optimizerConfig) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Authenticator authenticator = new Authenticator(secret);
        long pushFrame = checkFrames(config, checkpoint.parameters().length);
        return bind(config, authenticator, pushFrame, restoredAggregator(config, checkpoint, optimizerConfig));
    }

    private static ParameterServer bind(ServerConfig config, Authenticator authenticator, long pushFrame,
                                        Aggregator<Waiter> aggregator) throws IOException {
        return bind(config, authenticator, ShardState.of(aggregator,
                (int) Math.max(pushFrame, FrameFormat.PRE_AUTH_MAX_FRAME_BYTES)));
    }

    private static long checkFrames(ServerConfig config, int parameterCount) {
        long pushFrame = FrameFormat.maxPushFrameBytes(parameterCount);
        if (pushFrame > config.maxFrameBytes()) {
            throw new IllegalArgumentException("maxFrameBytes : " + config.maxFrameBytes() + " (expected: >= "
                    + pushFrame + ", the push frame for " + parameterCount + " parameters)");
        }
        return pushFrame;
    }

    /** An aggregator in {@code checkpoint}'s state: parameters, optimizer state and steps, step, progress. */
    static <W> Aggregator<W> restoredAggregator(ServerConfig config, Checkpoint checkpoint,
                                                OptimizerConfig optimizerConfig) {
        if (!optimizerConfig.type().equals(checkpoint.optimizerType())) {
            throw new IllegalArgumentException("checkpoint optimizer : " + checkpoint.optimizerType()
                    + " (expected: " + optimizerConfig.type() + ", the job's optimizer)");
        }
        Optimizer optimizer = optimizerConfig.create(checkpoint.parameters().length);
        optimizer.restore(checkpoint.optimizerSteps(), checkpoint.optimizerState());
        Aggregator<W> aggregator = newAggregator(config, checkpoint.parameters(), optimizer);
        try {
            aggregator.restore(checkpoint);
        } catch (IllegalArgumentException e) {
            aggregator.close();
            throw e;
        }
        return aggregator;
    }

    static <W> Aggregator<W> newAggregator(ServerConfig config, float[] parameters, Optimizer optimizer) {
        return config.mode() == ServerConfig.Mode.SYNC
                ? new SyncAggregator<>(parameters, optimizer, config.workers(), config.stepTimeout(), System::nanoTime)
                : new AsyncAggregator<>(parameters, optimizer, config.workers(), config.staleness(),
                        config.stepTimeout(), System::nanoTime);
    }

    private static ParameterServer bind(ServerConfig config, Authenticator authenticator, ShardState shard)
            throws IOException {
        ServerHandler.Context context = new ServerHandler.Context(authenticator, shard, AUTH_TIMEOUT);

        int threads = Math.max(1, Math.min(config.workers(), Runtime.getRuntime().availableProcessors()));
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("lamina-ps-boss", true), NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads,
                new DefaultThreadFactory("lamina-ps-io", true), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                .childOption(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 64 << 10, 1 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        config.tls().ifPresent(tls -> ch.pipeline().addLast(new SslHandler(TlsKeys.engine(tls, false))));
                        ch.pipeline().addLast(ServerHandler.pipeline(context));
                    }
                });
        ChannelFuture bind = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            shutdown(boss, workers);
            shard.close();
            throw new IOException("cannot bind " + config.host() + ":" + config.port(), bind.cause());
        }
        ParameterServer server = new ParameterServer(boss, workers, bind.channel(), shard, config.stepTimeout(),
                authenticator);
        if (shard.initialized()) {
            LOG.log(Level.INFO, "parameter server on {0}: {1} parameters, {2} workers, {3} mode{4}",
                    server.address(), shard.aggregator().parameterCount(), config.workers(), config.mode(),
                    config.tls().isPresent() ? ", TLS" : "");
        } else {
            LOG.log(Level.INFO, "parameter server shard on {0}{1}: waiting for the driver", server.address(),
                    config.tls().isPresent() ? " (TLS)" : "");
        }
        return server;
    }

    /** The bound address (with the actual port when the config asked for port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** A copy of the parameters after the last completed step (consistent: never mid-update). */
    public float[] parameters() {
        return shard.aggregator().parameters();
    }

    /** The last applied push of partition {@code workerId}: a retried task resumes after it. */
    public Progress progress(int workerId) {
        Aggregator<Waiter> aggregator = shard.aggregator();
        if (workerId < 0 || workerId >= aggregator.workers()) {
            throw new IllegalArgumentException("workerId : " + workerId + " (expected: in [0, " + aggregator.workers() + "))");
        }
        return aggregator.progress(workerId);
    }

    /** Completed synchronous steps. */
    public long step() {
        return shard.aggregator().step();
    }

    /**
     * A consistent snapshot of the server (between updates, never mid-update) with
     * {@link JobState#NONE}; add the driver's part with {@link Checkpoint#withJob}.
     */
    public Checkpoint checkpoint() {
        return shard.aggregator().checkpoint();
    }

    /**
     * From now on, every {@code everySteps} server steps: snapshot the state (while the step's replies
     * wait, a copy of the buffers) and write it with {@code job}'s current value to {@code sink} on a
     * background thread. A write still in flight when the next is due makes that one skipped; failures are
     * logged. {@link #close()} waits for the write in flight. Call at most once.
     */
    public synchronized void checkpointEvery(long everySteps, CheckpointSink sink, Supplier<JobState> job) {
        if (periodic != null) {
            throw new IllegalStateException("periodic checkpoints already set up");
        }
        Aggregator<Waiter> aggregator = shard.aggregator();
        PeriodicCheckpoints p = new PeriodicCheckpoints(aggregator, everySteps, sink, job);
        periodic = p;
        aggregator.onStep(p::stepped);
    }

    /** Periodic checkpoints written, skipped and failed so far (all 0 without {@link #checkpointEvery}). */
    public long[] periodicCheckpointCounts() {
        PeriodicCheckpoints p = periodic;
        return p == null ? new long[3] : p.counts();
    }

    /** Stops listening, closes every connection and waits for the server's threads to finish. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timeoutCheck.cancel(false);
        unregister.run();
        if (inProcess != null) {
            inProcess.close();
        }
        serverChannel.close().awaitUninterruptibly();
        shutdown(bossGroup, workerGroup);
        PeriodicCheckpoints p = periodic;
        if (p != null) {
            p.close();
        }
        shard.close();
        LOG.log(Level.INFO, "parameter server stopped after {0} steps",
                shard.initialized() ? shard.aggregator().step() : 0);
    }

    private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        boss.terminationFuture().awaitUninterruptibly();
        workers.terminationFuture().awaitUninterruptibly();
    }
}
