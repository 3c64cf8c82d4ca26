package dev.lamina.ps.server;

/**
 * How far one partition (worker) got: its last applied push. A retried task resumes after it.
 *
 * @param epoch      the epoch of the last applied push, -1 when none was applied yet
 * @param sequence   that push's sequence number within its epoch
 * @param dataOffset how many of the partition's samples that epoch had consumed after that push
 */
public record Progress(int epoch, long sequence, long dataOffset) {

    /** Nothing applied yet. */
    public static final Progress NONE = new Progress(-1, -1, 0);

    /** Whether a push with ({@code epoch}, {@code sequence}) was already applied (is at or before this point). */
    public boolean covers(int pushEpoch, long pushSequence) {
        return pushEpoch < epoch || (pushEpoch == epoch && pushSequence <= sequence);
    }
}
