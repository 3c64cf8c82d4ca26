package dev.lamina.ps.server;

import dev.lamina.ps.checkpoint.CheckpointCodec;
import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Frame;
import dev.lamina.ps.protocol.Message;
import io.netty.channel.ChannelHandlerContext;
import java.lang.System.Logger.Level;

/**
 * The driver's requests on its control connection to a shard: SHARD_INIT (serve a job), SNAPSHOT_QUERY
 * (the shard's state, for checkpoints) and PULL (the current parameters, at once: the driver never
 * waits for a step). A request the shard cannot serve yet is answered with
 * {@link ErrorCode#NOT_INITIALIZED} and the connection stays open; any other message closes it.
 */
final class ShardControl {
    private static final System.Logger LOG = System.getLogger(ShardControl.class.getName());

    private ShardControl() {
    }

    static void handle(ChannelHandlerContext ctx, Frame frame, ShardState shard) {
        long requestId = frame.requestId();
        Message message = frame.message();
        switch (message.type()) {
            case SHARD_INIT -> {
                Message reply = shard.init((Message.ShardInit) message);
                if (reply instanceof Message.ShardReady ready) {
                    LOG.log(Level.INFO, "shard initialised: parameters [{0}, {1}) of {2}, step {3}", ready.offset(),
                            ready.offset() + ready.parameterCount(), ((Message.ShardInit) message).totalParameters(),
                            ready.step());
                } else {
                    LOG.log(Level.WARNING, "refused SHARD_INIT: {0}", ((Message.Failure) reply).message());
                }
                ctx.writeAndFlush(new Frame(requestId, reply));
            }
            case SNAPSHOT_QUERY -> ctx.writeAndFlush(new Frame(requestId, shard.initialized()
                    ? new Message.Snapshot(CheckpointCodec.encode(shard.aggregator().checkpoint()))
                    : notInitialized("SNAPSHOT_QUERY")));
            case PULL -> {
                if (shard.initialized()) {
                    Aggregator<Waiter> a = shard.aggregator();
                    ctx.writeAndFlush(new Frame(requestId, new Message.Params(a.step(), a.parameters())));
                } else {
                    ctx.writeAndFlush(new Frame(requestId, notInitialized("PULL")));
                }
            }
            default -> ServerHandler.failAndClose(ctx, requestId, ErrorCode.UNEXPECTED_MESSAGE, "message : "
                    + message.type() + " on the driver's connection (expected: SHARD_INIT, SNAPSHOT_QUERY or PULL)");
        }
    }

    private static Message.Failure notInitialized(String request) {
        return new Message.Failure(ErrorCode.NOT_INITIALIZED, request + ": the shard has not been initialised"
                + " (expected: SHARD_INIT first)");
    }
}
