package dev.lamina.ps.client;

import dev.lamina.ps.protocol.ErrorCode;
import java.io.IOException;
import java.util.Objects;

/**
 * The parameter server refused a request (it answered with an error frame), or its bytes broke the
 * protocol. {@link #code()} says which; {@link #retriable()} whether trying again can help.
 */
public final class ParameterServerException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode code;

    public ParameterServerException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ParameterServerException(ErrorCode code, String message, Throwable cause) {
        super(Objects.requireNonNull(code, "code") + ": " + message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public boolean retriable() {
        return code.retriable();
    }
}
