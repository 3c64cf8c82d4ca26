package dev.lamina.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x over an array, a vector at a time, from additions, multiplications, fused multiply-adds,
 * min, max and integer operations on the bits only. Every one of those is exactly rounded, so each
 * element gets the same bits whether the code runs interpreted, C1- or C2-compiled. The Vector API's
 * own {@code lanewise(EXP)} is not like that: compiled by C2 it calls the JDK's vector math library,
 * while the interpreter and C1 compute each lane with {@link Math#exp}, so a kernel's result changed
 * once the JIT had compiled it (a 2-part Transformer step gave another gradient for the same batch a
 * few hundred steps in), which breaks sync training's bitwise reproducibility.
 *
 * <p>The exp works on arrays, not on vectors passed in and out, on purpose: a method that takes or
 * returns a vector must be inlined for C2 to keep the vector in a register, and kernels that inlined
 * an exp of ~25 vector operations into their loops were sometimes compiled with boxed vectors (tens of
 * MB per LSTM or Transformer step). Callers put the exp's argument into an array (at most
 * {@link #CHUNK} elements of {@link #scratch()} for an elementwise kernel), call {@link #expInPlace},
 * then combine; no vector crosses a call.
 */
final class VectorMath {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
    /** Elements of {@link #scratch()}: a multiple of every species' length; 1 KB stays in L1. */
    static final int CHUNK = 256;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that k * LN2_HI is exact for the k that occur (|k| <= 128). */
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.42860682030941723212e-6f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude < 2^22 to the nearest integer. */
    private static final float ROUND = 12582912f;
    /** Arguments are clamped to [EXP_MIN, EXP_MAX]: e^EXP_MIN = 1.18e-38, about 2^-126 (the smallest normal float). */
    static final float EXP_MIN = -87.33654f;
    /** e^EXP_MAX = 2.4e38, about 2^127.5 (Float.MAX_VALUE is 3.4e38); k stays at most 127. */
    static final float EXP_MAX = 88.37626f;
    /**
     * e^r on |r| <= ln2 / 2 as 1 + r + r^2 (C2 + C3 r + ... + C6 r^4): a least-squares fit of degree 6
     * on Chebyshev nodes (relative error under 4e-9 in exact arithmetic).
     */
    private static final float C2 = 0.49999989f, C3 = 0.16666518f, C4 = 0.04166953f, C5 = 0.00836892f,
            C6 = 0.00137514f;

    /* Every constant as a vector once: a broadcast in the expression is more bytecode for C2 to inline. */
    private static final FloatVector V_EXP_MIN = FloatVector.broadcast(SPECIES, EXP_MIN);
    private static final FloatVector V_EXP_MAX = FloatVector.broadcast(SPECIES, EXP_MAX);
    private static final FloatVector V_LOG2E = FloatVector.broadcast(SPECIES, LOG2E);
    private static final FloatVector V_ROUND = FloatVector.broadcast(SPECIES, ROUND);
    private static final FloatVector V_MINUS_LN2_HI = FloatVector.broadcast(SPECIES, -LN2_HI);
    private static final FloatVector V_MINUS_LN2_LO = FloatVector.broadcast(SPECIES, -LN2_LO);
    private static final FloatVector V_C2 = FloatVector.broadcast(SPECIES, C2);
    private static final FloatVector V_C3 = FloatVector.broadcast(SPECIES, C3);
    private static final FloatVector V_C4 = FloatVector.broadcast(SPECIES, C4);
    private static final FloatVector V_C5 = FloatVector.broadcast(SPECIES, C5);
    private static final FloatVector V_C6 = FloatVector.broadcast(SPECIES, C6);
    private static final FloatVector V_ONE = FloatVector.broadcast(SPECIES, 1f);
    private static final FloatVector V_MINUS_ROUND = FloatVector.broadcast(SPECIES, -ROUND);
    private static final FloatVector V_ZERO = FloatVector.zero(SPECIES);
    private static final IntVector V_BIAS_MINUS_ROUND_BITS = IntVector.broadcast(INTS, 127 - Float.floatToRawIntBits(ROUND));

    private VectorMath() {
    }

    /** This thread's {@link #CHUNK} floats of scratch for the exp's argument (allocated once per thread). */
    static float[] scratch() {
        return SCRATCH.get();
    }

    /**
     * a[off + i] = e^a[off + i] for i in [0, n), the argument clamped to [{@link #EXP_MIN},
     * {@link #EXP_MAX}] first, so the result is never 0 nor +Infinity (1.18e-38 and 2.4e38 at the
     * ends); NaN for NaN. Within 2 ulps of the correctly rounded value inside the range (see
     * {@code VectorMathTest}). Two vectors per iteration; the last n mod 2L elements with
     * {@link Math#exp} of the clamped argument, which HotSpot computes with the same code in every tier.
     *
     * <p>Why it looks like this (JDK 17's C2; each step was measured with {@code bench --model lstm}
     * and {@code -Dlamina.profile=true}, which prints the bytes each op allocates):
     * <ul>
     * <li>2^k as one exponent field: few operations. C2 inlines the Vector API's operations into the
     *     method and intrinsifies some of them late; with 2^k split in two factors to cover the full
     *     range (and a one-vector step after the loop), or with blends in an earlier form, the stores
     *     here were left as calls on boxed vectors in about every other run: one box per 16 floats,
     *     39 MB per LSTM bench step (but see the trap limit below).
     * <li>Clamped with compare and blend (vcmpps and vblendvps per bound) rather than max/min, which
     *     JDK 17's C2 compiles to five instructions each (vblendvps, vblendvps, vmaxps, vcmpunordps,
     *     vblendvps) to follow Java's rules for NaN and -0; a NaN argument fails both compares and
     *     stays NaN. On 256 floats in L1: 0.49 ns per element instead of 0.78 (2026-12-07, AVX2).
     *     Allocation checked after the trap-limit fix: ModelBenchJob --threads 2 --steps 100
     *     --warmup 300, Transformer 0 boxed runs of 8; LSTM and Transformer on 2 threads without
     *     {@code -XX:PerMethodTrapLimit}, 0 of 7.
     * <li>Later (2026-12-07) the boxing was traced to C2's trap limit, not to late intrinsics: every
     *     inlined {@code FloatVector} binary op (max, sub, mul, ...) brings the class-check traps of
     *     the Vector API's shared lanewise template into the compilation, and with several threads the
     *     total can pass {@code -XX:PerMethodTrapLimit} (100), after which C2 boxes. The project's JVM
     *     options raise the limit to 1000; for JVMs started without them, the subtraction and the
     *     final product here are FMAs, which go through another template (FMA is the only ternary op
     *     the engine uses, so it records no such traps): 4 binary ops per iteration instead of 8.
     * <li>Never inlined: two vectors per iteration make the method longer than C2's
     *     {@code FreqInlineSize} (325 bytes of bytecode). Inlined into each e^x kernel, and those into
     *     the LSTM step, C2 reached its node-count inlining cutoff in the middle of a kernel (55 MB per
     *     step).
     * </ul>
     */
    static void expInPlace(float[] a, int off, int n) {
        if (n < 0 || off < 0 || off > a.length - n) {
            throw new IllegalArgumentException("expInPlace: " + n + " elements at offset " + off + " of an array of "
                    + a.length + " (expected: n >= 0, offset >= 0 and offset + n <= " + a.length + ")");
        }
        int i = 0;
        for (int bound2 = n - n % (2 * L); i < bound2; i += 2 * L) {
            FloatVector y0 = FloatVector.fromArray(SPECIES, a, off + i);
            FloatVector y1 = FloatVector.fromArray(SPECIES, a, off + i + L);
            FloatVector x0 = y0.blend(V_EXP_MIN, y0.compare(VectorOperators.LT, V_EXP_MIN));
            FloatVector x1 = y1.blend(V_EXP_MIN, y1.compare(VectorOperators.LT, V_EXP_MIN));
            x0 = x0.blend(V_EXP_MAX, x0.compare(VectorOperators.GT, V_EXP_MAX));
            x1 = x1.blend(V_EXP_MAX, x1.compare(VectorOperators.GT, V_EXP_MAX));
            FloatVector shifted0 = x0.fma(V_LOG2E, V_ROUND);
            FloatVector shifted1 = x1.fma(V_LOG2E, V_ROUND);
            // shifted - ROUND and, below, p * 2^k as FMAs (1 * shifted - ROUND, p * 2^k + 0): the same
            // single rounding, so the same bits, and four binary ops fewer (see the comment above).
            FloatVector k0 = shifted0.fma(V_ONE, V_MINUS_ROUND);
            FloatVector k1 = shifted1.fma(V_ONE, V_MINUS_ROUND);
            FloatVector r0 = k0.fma(V_MINUS_LN2_LO, k0.fma(V_MINUS_LN2_HI, x0));
            FloatVector r1 = k1.fma(V_MINUS_LN2_LO, k1.fma(V_MINUS_LN2_HI, x1));
            FloatVector p0 = r0.fma(V_C6, V_C5).fma(r0, V_C4).fma(r0, V_C3).fma(r0, V_C2).fma(r0, V_ONE).fma(r0, V_ONE);
            FloatVector p1 = r1.fma(V_C6, V_C5).fma(r1, V_C4).fma(r1, V_C3).fma(r1, V_C2).fma(r1, V_ONE).fma(r1, V_ONE);
            // 2^k from its bits, k in [-126, 127] after the clamp: as an int, k is the low bits of ROUND
            // + k. reinterpretShape with a constant species (reinterpretAsInts() looks the species up).
            IntVector b0 = V_BIAS_MINUS_ROUND_BITS.add(shifted0.reinterpretShape(INTS, 0)).lanewise(VectorOperators.LSHL, 23);
            IntVector b1 = V_BIAS_MINUS_ROUND_BITS.add(shifted1.reinterpretShape(INTS, 0)).lanewise(VectorOperators.LSHL, 23);
            p0.fma(b0.reinterpretShape(SPECIES, 0), V_ZERO).intoArray(a, off + i);
            p1.fma(b1.reinterpretShape(SPECIES, 0), V_ZERO).intoArray(a, off + i + L);
        }
        for (; i < n; i++) {
            a[off + i] = (float) Math.exp(Math.min(Math.max(a[off + i], EXP_MIN), EXP_MAX));
        }
    }
}
