/**
 * The parameter server: holds the model's flat parameter buffer and its optimizer, authenticates
 * workers, and turns pushes into updates in one of two modes: synchronous steps
 * ({@link dev.lamina.ps.server.SyncAggregator}: every worker pushes once per step, the server averages
 * the pushes in worker-id order, applies the optimizer and answers every pusher; used for sync and
 * local-sgd training) or asynchronous updates with bounded staleness
 * ({@link dev.lamina.ps.server.AsyncAggregator}). Both record each partition's last applied push
 * ({@link dev.lamina.ps.server.Progress}) and drop replays, so retried tasks train each sample once.
 *
 * <p>{@link dev.lamina.ps.server.ParameterServer} binds a Netty NIO server; the update logic itself has
 * no Netty dependency and is tested without sockets. Pushes are decoded straight into per-worker
 * buffers and each update is encoded once into a shared, reference-counted reply payload.
 *
 * <p>A server is embedded ({@link dev.lamina.ps.server.ParameterServer#start}: all parameters from the
 * start) or a standalone shard ({@link dev.lamina.ps.server.ParameterServer#startShard}) that holds one
 * contiguous range of the parameters once the driver's SHARD_INIT arrives on its control connection.
 *
 * <p>{@link dev.lamina.ps.server.ParameterServer#checkpoint()} takes a consistent snapshot between
 * updates; {@link dev.lamina.ps.server.ParameterServer#restore} starts a server that continues from one
 * bitwise; {@link dev.lamina.ps.server.ParameterServer#checkpointEvery} writes one every N steps on a
 * background thread (see {@link dev.lamina.ps.checkpoint}).
 */
package dev.lamina.ps.server;
