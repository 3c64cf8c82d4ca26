package dev.lamina.ps.protocol;

import java.util.Objects;

/**
 * Bytes received from a peer violate the protocol. Carries the code to report and, when the header
 * could be read, the offending frame's request id (else 0).
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode code;
    private final long requestId;

    public ProtocolException(ErrorCode code, long requestId, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.requestId = requestId;
    }

    public ErrorCode code() {
        return code;
    }

    public long requestId() {
        return requestId;
    }
}
