package dev.lamina.ps.compress;

import java.util.List;

/** The codecs by wire id and by configuration name. */
public final class PushCodecs {
    /** Configuration names, in wire-id order. */
    public static final List<String> NAMES = List.of("none", "fp16", "int8", "topk", "threshold");

    private static final PushCodec[] DECODERS = {
        new RawCodec(), new Fp16Codec(), new Int8Codec(), new TopkCodec(0.5), new ThresholdCodec(1f)
    };

    private PushCodecs() {
    }

    /**
     * A codec that decodes pushes encoded with wire id {@code id} (decoding needs no parameters, so one
     * shared instance per id serves every connection).
     *
     * @throws IllegalArgumentException for an unknown id
     */
    public static PushCodec decoder(int id) {
        if (id < 0 || id >= DECODERS.length) {
            throw new IllegalArgumentException("codec id : " + id + " (expected: in [0, " + DECODERS.length + "))");
        }
        return DECODERS[id];
    }

    /**
     * A new encoding codec named {@code name}; {@code topkRatio} is the fraction of entries topk sends,
     * in (0, 1], and {@code threshold} the magnitude threshold sends, > 0.
     */
    public static PushCodec create(String name, double topkRatio, double threshold) {
        return switch (name) {
            case "none" -> new RawCodec();
            case "fp16" -> new Fp16Codec();
            case "int8" -> new Int8Codec();
            case "topk" -> new TopkCodec(topkRatio);
            case "threshold" -> new ThresholdCodec((float) threshold);
            default -> throw new IllegalArgumentException("compression : " + name + " (expected: one of " + NAMES + ")");
        };
    }

    /** Throws unless {@code actual == expected}: the encoding's byte length for its count. */
    static void checkBytes(String codec, long actual, long expected, int count) {
        if (actual != expected) {
            throw new IllegalArgumentException(codec + " payload : " + actual + " bytes (expected: " + expected
                    + " for " + count + " values)");
        }
    }
}
