package dev.lamina.ps.compress;

import java.nio.ByteBuffer;

/**
 * {@code fp16}: IEEE 754 binary16, 2 bytes a value, rounded to nearest even. Normal halves keep 11
 * significant bits (relative error <= 2^-11); magnitudes below 2^-14 become subnormal (absolute error
 * <= 2^-25) and those of 65520 and above become infinite (which the server then refuses).
 */
final class Fp16Codec implements PushCodec {

    @Override
    public int id() {
        return 1;
    }

    @Override
    public String name() {
        return "fp16";
    }

    @Override
    public boolean errorFeedback() {
        return false;
    }

    @Override
    public void encode(float[] values, ByteBuffer dst) {
        int at = dst.position();
        for (int i = 0; i < values.length; i++) {
            dst.putShort(at + 2 * i, toHalf(values[i]));
        }
        dst.position(at + 2 * values.length);
    }

    @Override
    public void decode(ByteBuffer src, float[] dst) {
        PushCodecs.checkBytes(name(), src.remaining(), 2L * dst.length, dst.length);
        int at = src.position();
        for (int i = 0; i < dst.length; i++) {
            dst[i] = toFloat(src.getShort(at + 2 * i));
        }
        src.position(src.limit());
    }

    /** The binary16 nearest to {@code value} (ties to even); NaN stays NaN. */
    static short toHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs >= 0x7F800000) {
            return (short) (sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 | ((abs >>> 13) & 0x3FF) : 0));
        }
        if (abs >= 0x477FF000) {
            return (short) (sign | 0x7C00);
        }
        int exp = abs >>> 23;
        if (exp >= 113) {
            int h = ((exp - 112) << 10) | ((abs & 0x7FFFFF) >>> 13);
            return (short) (sign | roundEven(h, abs & 0x1FFF, 0x1000));
        }
        if (exp < 102) {
            return (short) sign;
        }
        int mantissa = (abs & 0x7FFFFF) | 0x800000;
        int shift = 126 - exp;
        int h = mantissa >>> shift;
        return (short) (sign | roundEven(h, mantissa & ((1 << shift) - 1), 1 << (shift - 1)));
    }

    /** {@code truncated} rounded up when the dropped bits {@code rest} exceed half, or equal it and it is odd. */
    private static int roundEven(int truncated, int rest, int half) {
        return rest > half || (rest == half && (truncated & 1) != 0) ? truncated + 1 : truncated;
    }

    /** The float equal to binary16 {@code half} (exact). */
    static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exp == 0) {
            float v = mantissa * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mantissa << 13));
    }
}
