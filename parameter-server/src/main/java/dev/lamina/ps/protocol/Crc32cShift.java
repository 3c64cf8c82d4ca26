package dev.lamina.ps.protocol;

/**
 * Appending {@code length} bytes to a CRC32C, as a linear operator: for byte strings A and B with
 * |B| = {@code length}, {@code crc(A || B) == apply(crc(A)) ^ crc(B)}. The operator is a 32x32 matrix
 * over GF(2) (one column per bit), built once per length by repeated squaring of the one-zero-bit
 * operator, so a frame whose payload is shared can get its CRC from the CRC of its own header and the
 * payload's CRC computed once (for all replies of a step).
 */
public final class Crc32cShift {
    /** The CRC32C (Castagnoli) polynomial, bit-reflected. */
    private static final int POLY = 0x82F63B78;

    private final int[] operator;
    private final long length;

    /** The operator for appending {@code length} >= 0 bytes. */
    public Crc32cShift(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length : " + length + " (expected: >= 0)");
        }
        this.length = length;
        int[] result = identity();
        int[] power = oneByte();
        for (long n = length; n != 0; n >>>= 1) {
            if ((n & 1) != 0) {
                result = compose(power, result);
            }
            if (n > 1) {
                power = compose(power, power);
            }
        }
        this.operator = result;
    }

    /** The bytes this operator appends. */
    public long length() {
        return length;
    }

    /** The CRC of A || B from {@code crcA} and {@code crcB} (B of {@link #length()} bytes). */
    public int combine(int crcA, int crcB) {
        return times(operator, crcA) ^ crcB;
    }

    private static int[] identity() {
        int[] m = new int[32];
        for (int i = 0; i < 32; i++) {
            m[i] = 1 << i;
        }
        return m;
    }

    /** The operator for one zero byte: eight one-bit shifts. */
    private static int[] oneByte() {
        int[] bit = new int[32];
        bit[0] = POLY;
        for (int i = 1; i < 32; i++) {
            bit[i] = 1 << (i - 1);
        }
        int[] m = compose(bit, bit);
        m = compose(m, m);
        return compose(m, m);
    }

    /** The matrix of {@code a} after {@code b}. */
    private static int[] compose(int[] a, int[] b) {
        int[] m = new int[32];
        for (int i = 0; i < 32; i++) {
            m[i] = times(a, b[i]);
        }
        return m;
    }

    private static int times(int[] matrix, int vector) {
        int sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }
}
