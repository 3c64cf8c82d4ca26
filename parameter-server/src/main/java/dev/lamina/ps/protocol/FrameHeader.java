package dev.lamina.ps.protocol;

/** The validated fixed-size header of a frame. */
public record FrameHeader(MessageType type, long requestId, int payloadLength) {

    /** Header, payload and CRC trailer. */
    public int frameBytes() {
        return FrameFormat.OVERHEAD_BYTES + payloadLength;
    }
}
