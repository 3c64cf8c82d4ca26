package dev.lamina.ps.protocol;

import java.util.Objects;

/**
 * A decoded frame: the message and the request id that ties a reply to its request. Replies carry the
 * request's id; frames the server sends on its own (the challenge, connection-level errors whose
 * request is unknown) carry 0.
 */
public record Frame(long requestId, Message message) {
    public Frame {
        Objects.requireNonNull(message, "message");
    }
}
