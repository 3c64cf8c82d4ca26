package dev.lamina.engine.kernel;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the {@link Kernels} implementation once per JVM: {@link VectorKernels} when the Vector
 * API is usable, otherwise {@link ScalarKernels#INSTANCE}, logging the reason for the fallback
 * once at WARNING. The choice happens in a static holder class, so it runs on first use and is
 * never repeated (the initialization-on-demand idiom, as Lucene's VectorizationProvider does it).
 *
 * <p>The Vector API is used when all of these hold: the module {@code jdk.incubator.vector} is in
 * the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}), loading
 * {@link VectorKernels} does not throw a {@link LinkageError}, and the preferred float species is
 * at least 128 bits wide. Nothing here reads system properties.
 */
public final class KernelProvider {

    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final int MIN_VECTOR_BITS = 128;
    private static final int MAX_THREADS = 256;
    /**
     * The -XX:PerMethodTrapLimit the project's JVM options set (HotSpot's default is 100). On JDK 17
     * every inlined {@code FloatVector} binary op (add, mul, max, ...) brings the class-check traps
     * recorded in the Vector API's shared lanewise template into the compilation; several threads
     * deoptimizing there at once can push a kernel's total past 100, and C2 then boxes every vector
     * of that kernel (measured: max pooling and the softmax's exp in 10 of 16 two-thread LeNet and
     * MLP bench runs, 0.1-5.8 MB per step; none of 16 such runs with the limit at 1000).
     */
    static final long RECOMMENDED_TRAP_LIMIT = 1000;
    /** One threaded instance (and so one pool of daemon threads) per thread count, for the JVM. */
    private static final ConcurrentHashMap<Integer, Kernels> THREADED = new ConcurrentHashMap<>();

    private KernelProvider() {
    }

    /** The kernels every caller should use; the same instance for the life of the JVM. */
    public static Kernels kernels() {
        return Holder.CHOICE.kernels();
    }

    /**
     * Kernels whose GEMM runs on {@code threads} threads: the caller plus a pool of
     * {@code threads - 1} daemon threads shared by every caller in the JVM that asks for the same
     * count (callers that find the pool busy compute alone). {@code threads == 1}, or no Vector
     * API, gives {@link #kernels()}. Call this once per task, not per step.
     *
     * @throws IllegalArgumentException if threads is not in [1, 256]
     */
    public static Kernels kernels(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads : " + threads + " (expected: 1.." + MAX_THREADS + ")");
        }
        if (threads == 1 || !vectorized()) {
            return kernels();
        }
        return THREADED.computeIfAbsent(threads, ThreadedKernels::new);
    }

    /**
     * A one-line description of the choice, for logs and provenance, e.g.
     * {@code "VectorKernels (FloatVector 512 bits)"} or {@code "ScalarKernels (fallback: ...)"}.
     */
    public static String description() {
        return Holder.CHOICE.description();
    }

    /** True when {@link #kernels()} is the Vector API implementation. */
    public static boolean vectorized() {
        return Holder.CHOICE.kernels() != ScalarKernels.INSTANCE;
    }

    /** The width in bits of the float vectors {@link #kernels()} compute with: 32 (one float) for the scalar fallback. */
    public static int vectorBits() {
        return vectorized() ? VectorKernels.vectorBitSize() : Float.SIZE;
    }

    /** The chosen implementation and why. */
    private record Choice(Kernels kernels, String description) {
    }

    private static final class Holder {
        static final Choice CHOICE = choose();
    }

    private static Choice choose() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return fallback("Vector API not available: start the JVM with --add-modules "
                    + VECTOR_MODULE + "; using scalar kernels");
        }
        try {
            return vectorChoice();
        } catch (LinkageError e) {
            return fallback("Vector API failed to load (" + e + "); using scalar kernels");
        }
    }

    /** Touches {@link VectorKernels} only here, so a missing module cannot fail class loading above. */
    private static Choice vectorChoice() {
        int bits = VectorKernels.vectorBitSize();
        if (bits < MIN_VECTOR_BITS) {
            return fallback("preferred float vector species is " + bits + " bits (expected: >= "
                    + MIN_VECTOR_BITS + "); using scalar kernels");
        }
        OptionalLong limit = trapLimit();
        if (limit.isPresent() && limit.getAsLong() < RECOMMENDED_TRAP_LIMIT) {
            System.getLogger(KernelProvider.class.getName()).log(Level.WARNING, "-XX:PerMethodTrapLimit is "
                    + limit.getAsLong() + " (expected: >= " + RECOMMENDED_TRAP_LIMIT + ", as conf/spark-defaults.conf"
                    + " sets it): with several threads the JIT may box vectors in some kernels (slower steps,"
                    + " heap allocation per step); results are unaffected");
        }
        return new Choice(VectorKernels.INSTANCE, "VectorKernels (FloatVector " + bits + " bits)");
    }

    /** This JVM's -XX:PerMethodTrapLimit, or empty when it is not a HotSpot JVM that reports it. */
    static OptionalLong trapLimit() {
        try {
            HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return bean == null ? OptionalLong.empty()
                    : OptionalLong.of(Long.parseLong(bean.getVMOption("PerMethodTrapLimit").getValue()));
        } catch (RuntimeException | LinkageError e) {
            return OptionalLong.empty();
        }
    }

    private static Choice fallback(String reason) {
        System.getLogger(KernelProvider.class.getName()).log(Level.WARNING, reason);
        return new Choice(ScalarKernels.INSTANCE, "ScalarKernels (fallback: " + reason + ")");
    }
}
