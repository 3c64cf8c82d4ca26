/**
 * The parameter server: holds the model's flat parameter buffer and its optimizer, authenticates
 * workers, and runs synchronous steps ({@link dev.lamina.ps.server.SyncAggregator}: every worker
 * pushes a gradient for the current step, the server averages them in worker-id order, applies the
 * optimizer and answers every pusher with the new parameters).
 *
 * <p>{@link dev.lamina.ps.server.ParameterServer} binds a Netty NIO server; the step logic itself has
 * no Netty dependency and is tested without sockets.
 */
package dev.lamina.ps.server;
