/**
 * Parameter-server checkpoints: a {@link dev.lamina.ps.checkpoint.Checkpoint} is everything a restarted
 * server and driver need to continue a job (parameters, optimizer state and step count, the server's
 * step, each worker's exactly-once record, the job's seed, epoch and RNG state, provenance);
 * {@link dev.lamina.ps.checkpoint.CheckpointCodec} gives it a compact, checksummed little-endian
 * binary form, and {@link dev.lamina.ps.checkpoint.CheckpointStore} keeps the last few on any Hadoop
 * file system, written atomically (temporary file, then rename).
 * {@link dev.lamina.ps.checkpoint.ShardedCheckpoints} cuts a checkpoint into shard ranges and merges
 * the shards' snapshots back into one, so sharded and embedded jobs write the same file. Apart from
 * the {@link dev.lamina.ps.protocol.ShardRange} value type, this package depends on no other package
 * of the server.
 */
package dev.lamina.ps.checkpoint;
