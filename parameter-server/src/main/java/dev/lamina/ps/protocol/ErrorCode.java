package dev.lamina.ps.protocol;

/**
 * Every error the parameter server reports on the wire. The numeric codes are part of the protocol:
 * never renumber or reuse one; add new codes at the end.
 */
public enum ErrorCode {
    /** A code this version does not know (sent by a newer peer). Never sent. */
    UNKNOWN(-1, false, "unknown error"),
    BAD_MAGIC(1, false, "the frame does not start with the protocol's magic number"),
    UNSUPPORTED_VERSION(2, false, "the frame's protocol version is not supported"),
    FRAME_TOO_LARGE(3, false, "the frame is larger than the connection allows"),
    BAD_CHECKSUM(4, true, "the frame's CRC32C does not match its contents"),
    UNKNOWN_TYPE(5, false, "the frame's message type is not known"),
    MALFORMED_PAYLOAD(6, false, "the frame's payload does not match its message type"),
    UNEXPECTED_MESSAGE(7, false, "the message is not valid in this state of the connection"),
    AUTH_REQUIRED(8, false, "the connection must authenticate first"),
    AUTH_FAILED(9, false, "authentication failed"),
    UNKNOWN_WORKER(10, false, "the worker id is not part of this job"),
    WRONG_SIZE(11, false, "the array length does not match the parameter count"),
    NON_FINITE_VALUES(12, false, "the gradient contains NaN or Inf"),
    DUPLICATE_PUSH(13, false, "the worker already pushed for this step"),
    WRONG_STEP(14, true, "the push is for a step other than the server's current step"),
    TIMEOUT(15, true, "the step did not complete in time"),
    INTERNAL(16, true, "unexpected server error"),
    NOT_INITIALIZED(17, true, "the shard has not been initialised by the driver yet"),
    INVALID_INIT(18, false, "the shard initialisation does not describe a usable shard"),
    ALREADY_INITIALIZED(19, false, "the shard already serves a job");

    private static final ErrorCode[] BY_CODE = new ErrorCode[20];

    static {
        for (ErrorCode e : values()) {
            if (e.code >= 0) {
                BY_CODE[e.code] = e;
            }
        }
    }

    private final int code;
    private final boolean retriable;
    private final String description;

    ErrorCode(int code, boolean retriable, String description) {
        this.code = code;
        this.retriable = retriable;
        this.description = description;
    }

    /** The stable number sent on the wire. */
    public int code() {
        return code;
    }

    /** Whether retrying the same request (possibly on a new connection) can succeed. */
    public boolean retriable() {
        return retriable;
    }

    /** A short, fixed description. */
    public String description() {
        return description;
    }

    /** The error with this wire code, or {@link #UNKNOWN} when this version does not know it. */
    public static ErrorCode forCode(int code) {
        if (code < 0 || code >= BY_CODE.length || BY_CODE[code] == null) {
            return UNKNOWN;
        }
        return BY_CODE[code];
    }
}
