package dev.lamina.ps.protocol;

/** The message types and their stable one-byte ids on the wire. */
public enum MessageType {
    CHALLENGE(1),
    HELLO(2),
    AUTH_OK(3),
    PULL(4),
    PARAMS(5),
    PUSH_GRADIENT(6),
    ERROR(7),
    PROGRESS_QUERY(8),
    PROGRESS(9),
    PUSH_COMPRESSED(10),
    SHARD_INIT(11),
    SHARD_READY(12),
    SNAPSHOT_QUERY(13),
    SNAPSHOT(14),
    TIMING_QUERY(15),
    TIMING(16);

    private static final MessageType[] BY_ID = new MessageType[17];

    static {
        for (MessageType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;

    MessageType(int id) {
        this.id = id;
    }

    /** The id sent in the frame header. */
    public int id() {
        return id;
    }

    /** Whether {@code id} names a known type. */
    public static boolean isKnown(int id) {
        return id > 0 && id < BY_ID.length && BY_ID[id] != null;
    }

    /** The type with this id; throws {@link IllegalArgumentException} for an unknown id. */
    public static MessageType forId(int id) {
        if (!isKnown(id)) {
            throw new IllegalArgumentException("message type : " + id + " (expected: 1.." + (BY_ID.length - 1) + ")");
        }
        return BY_ID[id];
    }
}
