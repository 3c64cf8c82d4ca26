package dev.lamina.ps.server;

import dev.lamina.ps.protocol.SharedParams;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes parameters as an encoded, shared {@link SharedParams} payload, reusing a few buffers:
 * a step's parameters are encoded once into a buffer no pending reply still holds (one is allocated
 * only when every buffer is still being sent). Not thread-safe: the owning aggregator synchronizes.
 */
final class ParamsPublisher implements AutoCloseable {
    /** Buffers kept for reuse; more may exist briefly while slow writes drain. */
    private static final int KEEP = 3;

    private final int count;
    private final List<SharedParams> buffers = new ArrayList<>();
    private SharedParams current;

    ParamsPublisher(int count) {
        this.count = count;
    }

    /** Encodes {@code values} as the parameters after {@code step}; later leases get them. */
    void publish(long step, float[] values) {
        SharedParams target = null;
        for (SharedParams b : buffers) {
            if (b != current && b.reusable()) {
                target = b;
                break;
            }
        }
        if (target == null) {
            target = new SharedParams(count);
            buffers.add(target);
            if (buffers.size() > KEEP) {
                SharedParams oldest = buffers.get(0) == current ? buffers.get(1) : buffers.get(0);
                buffers.remove(oldest);
                oldest.release();
            }
        }
        target.encode(step, values);
        current = target;
    }

    /** A lease on the last published parameters. */
    SharedParams.Lease lease() {
        return current.lease();
    }

    long step() {
        return current.step();
    }

    @Override
    public void close() {
        for (SharedParams b : buffers) {
            b.release();
        }
        buffers.clear();
    }
}
