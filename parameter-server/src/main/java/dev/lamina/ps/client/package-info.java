/**
 * The client side of the parameter server protocol: {@link dev.lamina.ps.client.ParameterClient}, a
 * blocking socket client that authenticates, pulls parameters and pushes gradients, reusing its frame
 * buffers from step to step; {@link dev.lamina.ps.client.ShardedClient}, a worker's connections to
 * every shard of a range-partitioned job, pushing and pulling all of them in parallel; and the
 * driver's {@link dev.lamina.ps.client.ShardGroup} of {@link dev.lamina.ps.client.ShardControlClient}s,
 * which initialise standalone shards and read their parameters and snapshots back. Every client
 * connects over a {@link dev.lamina.ps.client.Transport}: plain TCP, or TLS 1.3 pinned to the server's
 * certificate ({@link dev.lamina.ps.client.TlsChannel}, an {@code SSLEngine} over the timed socket).
 */
package dev.lamina.ps.client;
