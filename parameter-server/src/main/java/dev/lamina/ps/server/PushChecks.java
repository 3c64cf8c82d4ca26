package dev.lamina.ps.server;

import dev.lamina.ps.protocol.ErrorCode;
import dev.lamina.ps.protocol.Message;
import java.util.Optional;

/** The checks every mode runs on a push before it may touch the parameters. */
final class PushChecks {
    private PushChecks() {
    }

    /** Unknown worker, wrong length, or an already applied (epoch, sequence): why to refuse, if so. */
    static Optional<Message.Failure> identity(Message.PushGradient push, int workers, int parameterCount,
                                              Progress progress) {
        int workerId = push.workerId();
        if (workerId < 0 || workerId >= workers) {
            return refuse(ErrorCode.UNKNOWN_WORKER, "worker : " + workerId + " (expected: in [0, " + workers + "))");
        }
        if (push.gradient().length != parameterCount) {
            return refuse(ErrorCode.WRONG_SIZE, "worker " + workerId + " gradient length : "
                    + push.gradient().length + " (expected: " + parameterCount + ")");
        }
        if (progress.covers(push.epoch(), push.sequence())) {
            return refuse(ErrorCode.DUPLICATE_PUSH, "worker " + workerId + " epoch " + push.epoch() + " sequence "
                    + push.sequence() + " was already applied (acknowledged: epoch " + progress.epoch() + " sequence "
                    + progress.sequence() + " dataOffset " + progress.dataOffset() + ")");
        }
        return Optional.empty();
    }

    /** A NaN or Inf in the push: why to refuse, naming the worker, step and index. */
    static Optional<Message.Failure> finite(Message.PushGradient push) {
        float[] values = push.gradient();
        int bad = firstNonFinite(values);
        if (bad >= 0) {
            return refuse(ErrorCode.NON_FINITE_VALUES, "worker " + push.workerId() + " step " + push.step()
                    + ": gradient[" + bad + "] : " + values[bad] + " (expected: finite)");
        }
        return Optional.empty();
    }

    static Optional<Message.Failure> refuse(ErrorCode code, String message) {
        return Optional.of(new Message.Failure(code, message));
    }

    /**
     * The first index holding NaN or Inf, or -1. The fast pass ORs (exponent + one exponent unit) over
     * the raw bits, which sets the sign bit only for an all-ones exponent; plain int arithmetic, so it
     * vectorizes. Only when it trips does the slow pass look for the index.
     */
    static int firstNonFinite(float[] values) {
        int flags = 0;
        for (int i = 0; i < values.length; i++) {
            flags |= (Float.floatToRawIntBits(values[i]) & 0x7F800000) + 0x00800000;
        }
        if (flags >= 0) {
            return -1;
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }
}
