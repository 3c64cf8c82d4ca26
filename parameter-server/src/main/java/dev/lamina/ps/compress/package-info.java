/**
 * Push compression: {@link dev.lamina.ps.compress.PushCodec}s that encode a dense float update into
 * bytes and decode it back into a dense buffer ({@code none}, {@code fp16}, {@code int8}, {@code topk},
 * {@code threshold}), and the worker-side {@link dev.lamina.ps.compress.PushEncoder} that keeps the
 * error-feedback residual for the sparsifying codecs. Depends on nothing else in the parameter server:
 * the protocol package carries the codec id and decodes through {@link dev.lamina.ps.compress.PushCodecs}.
 */
package dev.lamina.ps.compress;
