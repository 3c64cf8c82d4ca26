/**
 * The parameter server's wire protocol: frames, messages, error codes and authentication.
 *
 * <p>A frame is {@code [int magic][byte version][byte type][long requestId][int payloadLength][payload]
 * [int CRC32C]}. The header and the trailer are big-endian; float arrays inside payloads are
 * little-endian and copied in bulk. {@link dev.lamina.ps.protocol.FrameFormat} and
 * {@link dev.lamina.ps.protocol.PayloadCodec} describe the layout once and work on
 * {@link java.nio.ByteBuffer}s, so the Netty codec ({@link dev.lamina.ps.protocol.FrameDecoder},
 * {@link dev.lamina.ps.protocol.FrameEncoder}) and the blocking socket client share them.
 *
 * <p>Pushes travel either as PUSH_GRADIENT (raw floats, streamed by the decoder straight into the
 * worker's buffer) or as PUSH_COMPRESSED (a {@link dev.lamina.ps.compress.PushCodec} id and its
 * encoding), which the decoder decodes into the same buffer and emits as the same
 * {@link dev.lamina.ps.protocol.Message.PushGradient}; the server never sees the difference.
 *
 * <p>Every frame length is checked against a maximum before the payload is awaited or allocated;
 * violations are answered with a {@link dev.lamina.ps.protocol.Message.Failure} carrying a stable
 * {@link dev.lamina.ps.protocol.ErrorCode}, and the connection is closed.
 */
package dev.lamina.ps.protocol;
