package dev.lamina.ps.server;

import dev.lamina.ps.protocol.Authenticator;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.FrameDecoder;
import dev.lamina.ps.protocol.FrameEncoder;
import dev.lamina.ps.protocol.FrameFormat;
import dev.lamina.ps.protocol.Message;
import dev.lamina.ps.protocol.Secrets;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One worker connection on the server: sends the challenge, verifies the worker's HELLO, then serves
 * PULL and PUSH_GRADIENT through the shared {@link SyncAggregator}, and answers PROGRESS_QUERY and TIMING_QUERY. Not sharable: one per channel.
 */
final class ServerHandler extends SimpleChannelInboundHandler<Frame> {
    private static final System.Logger LOG = System.getLogger(ServerHandler.class.getName());

    /** Whom to answer when a push's step completes: a request on a channel. */
    record ChannelWaiter(Channel channel, long requestId) implements Waiter {

        @Override
        public void answer(Reply<Waiter> reply) {
            if (reply instanceof Reply.Updated<Waiter> updated) {
                channel.writeAndFlush(updated.params().frame(requestId));
            } else if (reply instanceof Reply.Refused<Waiter> refused) {
                channel.writeAndFlush(new Frame(requestId, refused.failure()));
            }
        }
    }

    /**
     * What every connection of one server shares.
     *
     * @param shard       the aggregator (once initialised) and the frame limits
     * @param authTimeout how long a connection may stay unauthenticated
     */
    record Context(Authenticator authenticator, ShardState shard, Duration authTimeout) {

        /** A server that holds {@code aggregator} from the start; workers may send frames up to the limit. */
        Context(Authenticator authenticator, Aggregator<Waiter> aggregator, int authenticatedMaxFrameBytes,
                Duration authTimeout) {
            this(authenticator, ShardState.of(aggregator, authenticatedMaxFrameBytes), authTimeout);
        }

        Aggregator<Waiter> aggregator() {
            return shard.aggregator();
        }
    }

    private final Context context;
    private byte[] serverNonce;
    private int workerId = -1;
    /** Whether the driver authenticated on this connection (as {@link Message#DRIVER_ID}). */
    private boolean control;
    /** The last push this connection handed to the aggregator (freed if the connection drops mid-step). */
    private Waiter lastPush;

    private ServerHandler(Context context) {
        super(Frame.class);
        this.context = context;
    }

    /** The handlers of a new server connection, head first: encoder, decoder (pre-auth limit), handler. */
    static ChannelHandler[] pipeline(Context context) {
        return new ChannelHandler[] {
            new FrameEncoder(), new FrameDecoder(FrameFormat.PRE_AUTH_MAX_FRAME_BYTES), new ServerHandler(context)
        };
    }

    /** Hands each reply to its waiter (from any thread); parameter replies share one payload. */
    static void deliver(List<Reply<Waiter>> replies) {
        for (Reply<Waiter> reply : replies) {
            reply.waiter().answer(reply);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (lastPush != null && !control) {
            context.aggregator().disconnected(workerId, lastPush);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        serverNonce = Secrets.randomBytes(Message.NONCE_BYTES);
        ctx.writeAndFlush(new Frame(0, new Message.Challenge(serverNonce)));
        Duration timeout = context.authTimeout();
        ctx.executor().schedule(() -> {
            if (workerId < 0 && !control && ctx.channel().isActive()) {
                failAndClose(ctx, 0, ErrorCode.TIMEOUT, "not authenticated within " + timeout);
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (control) {
            ShardControl.handle(ctx, frame, context.shard());
            return;
        }
        if (workerId < 0) {
            authenticate(ctx, frame);
            return;
        }
        Message message = frame.message();
        switch (message.type()) {
            case PULL -> deliver(context.aggregator().pull(workerId, new ChannelWaiter(ctx.channel(), frame.requestId())));
            case PUSH_GRADIENT -> push(ctx, frame.requestId(), (Message.PushGradient) message);
            case PROGRESS_QUERY -> {
                Progress p = context.aggregator().progress(workerId);
                ctx.writeAndFlush(new Frame(frame.requestId(), new Message.Progress(p.epoch(), p.sequence(),
                        p.dataOffset())));
            }
            case TIMING_QUERY -> ctx.writeAndFlush(new Frame(frame.requestId(), context.aggregator().timing(workerId)));
            default -> failAndClose(ctx, frame.requestId(), ErrorCode.UNEXPECTED_MESSAGE, "message : "
                    + message.type() + " (expected: PULL, PUSH_GRADIENT, PROGRESS_QUERY or TIMING_QUERY)");
        }
    }

    private void authenticate(ChannelHandlerContext ctx, Frame frame) {
        long requestId = frame.requestId();
        if (!(frame.message() instanceof Message.Hello hello)) {
            failAndClose(ctx, requestId, ErrorCode.AUTH_REQUIRED,
                    "message : " + frame.message().type() + " (expected: HELLO first)");
            return;
        }
        Authenticator authenticator = context.authenticator();
        byte[] expected = authenticator.clientMac(serverNonce, hello.clientNonce(), hello.workerId());
        if (!Authenticator.matches(expected, hello.mac())) {
            failAndClose(ctx, requestId, ErrorCode.AUTH_FAILED,
                    "worker " + hello.workerId() + ": the HELLO's MAC does not match the job secret");
            return;
        }
        byte[] serverMac = authenticator.serverMac(hello.clientNonce(), serverNonce);
        ShardState shard = context.shard();
        if (hello.workerId() == Message.DRIVER_ID) {
            control = true;
            ctx.pipeline().get(FrameDecoder.class).maxFrameBytes(shard.controlMaxFrameBytes());
            boolean ready = shard.initialized();
            ctx.writeAndFlush(new Frame(requestId, new Message.AuthOk(serverMac,
                    ready ? shard.aggregator().parameterCount() : 0, ready ? shard.aggregator().step() : 0)));
            LOG.log(Level.INFO, "driver connected from {0}", ctx.channel().remoteAddress());
            return;
        }
        if (!shard.initialized()) {
            failAndClose(ctx, requestId, ErrorCode.NOT_INITIALIZED, "worker " + hello.workerId()
                    + ": this shard has not been initialised by the driver yet (expected: the driver's SHARD_INIT first)");
            return;
        }
        Aggregator<Waiter> aggregator = shard.aggregator();
        if (hello.workerId() < 0 || hello.workerId() >= aggregator.workers()) {
            failAndClose(ctx, requestId, ErrorCode.UNKNOWN_WORKER,
                    "worker : " + hello.workerId() + " (expected: in [0, " + aggregator.workers() + "))");
            return;
        }
        workerId = hello.workerId();
        FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
        decoder.maxFrameBytes(shard.workerMaxFrameBytes());
        decoder.pushBuffer(new float[aggregator.parameterCount()]);
        ctx.writeAndFlush(new Frame(requestId,
                new Message.AuthOk(serverMac, aggregator.parameterCount(), aggregator.step())));
        LOG.log(Level.DEBUG, "worker {0} authenticated from {1}", workerId, ctx.channel().remoteAddress());
    }

    private void push(ChannelHandlerContext ctx, long requestId, Message.PushGradient push) {
        if (push.workerId() != workerId) {
            ctx.writeAndFlush(new Frame(requestId, new Message.Failure(ErrorCode.UNKNOWN_WORKER, "push worker : "
                    + push.workerId() + " (expected: " + workerId + ", the worker this connection authenticated as)")));
            return;
        }
        lastPush = new ChannelWaiter(ctx.channel(), requestId);
        Reply.Outcome<Waiter> outcome = context.aggregator().push(push, lastPush);
        if (outcome.nextBuffer().length == context.aggregator().parameterCount()) {
            ctx.pipeline().get(FrameDecoder.class).pushBuffer(outcome.nextBuffer());
        }
        for (Reply<Waiter> reply : outcome.replies()) {
            if (reply instanceof Reply.Refused<Waiter> refused) {
                LOG.log(Level.WARNING, "refused push: {0} {1}", refused.failure().code(), refused.failure().message());
            }
        }
        deliver(outcome.replies());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.log(Level.DEBUG, "connection from " + ctx.channel().remoteAddress() + " failed", cause);
            ctx.close();
            return;
        }
        LOG.log(Level.ERROR, "unexpected error on connection from " + ctx.channel().remoteAddress(), cause);
        failAndClose(ctx, 0, ErrorCode.INTERNAL, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    static void failAndClose(ChannelHandlerContext ctx, long requestId, ErrorCode code, String message) {
        LOG.log(Level.WARNING, "closing {0}: {1} {2}", ctx.channel().remoteAddress(), code, message);
        ctx.writeAndFlush(new Frame(requestId, new Message.Failure(code, message)))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
