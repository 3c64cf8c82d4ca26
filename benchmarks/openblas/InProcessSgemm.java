import dev.lamina.engine.kernel.KernelProvider;
import dev.lamina.engine.kernel.Kernels;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

/**
 * Lamina's SGEMM and OpenBLAS's {@code cblas_sgemm} in one JVM, taking turns in 30 ms slices, so a
 * slow spell of a shared host falls on both (separate runs of the two, minutes apart, gave ratios that
 * moved by 20-30% on the same build). Single thread for both: run it with {@code OPENBLAS_NUM_THREADS=1}
 * and without {@code OPENBLAS_CORETYPE} (see {@code run-in-process.sh}, which does both).
 *
 * <p>A source-file program for JDK 17's {@code java} launcher (OpenBLAS is reached through JDK 17's
 * incubating foreign-function API, {@code jdk.incubator.foreign}, so it is not part of the Maven build,
 * which must also compile on newer JDKs). Shapes are {@code <op>_<M>x<N>x<K>} as in {@code GemmBenchmark}:
 * C[M,N] = op(A)[M,K] op(B)[K,N], row-major, alpha 1, beta 0; OpenBLAS reads copies of the same operands
 * in native memory. Per shape it prints the median GFLOP/s of each and the median and quartiles of the
 * per-round ratio, and checks that both computed the same C (exit status 1 if not).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector,jdk.incubator.foreign --enable-native-access=ALL-UNNAMED \
 *        -cp engine/target/classes -Dopenblas=/usr/lib/x86_64-linux-gnu/libopenblas.so.0 \
 *        benchmarks/openblas/InProcessSgemm.java [-Drounds=40] [SHAPE ...]
 * </pre>
 */
public class InProcessSgemm {
    private static final String[] SHAPES = {"NN_512x512x512", "NN_1024x1024x1024", "NT_64x256x784", "NT_64x128x256",
        "TN_256x784x64", "TN_128x256x64", "NN_64x256x128", "NT_2048x384x128", "NT_2048x512x128", "NT_2048x128x512",
        "TN_512x128x2048", "TN_128x512x2048", "NN_2048x128x512", "NN_2048x512x128"};
    private static final long SLICE_NANOS = 30_000_000L;
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    public static void main(String[] args) throws Throwable {
        String library = System.getProperty("openblas", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
        System.load(library);
        CLinker linker = CLinker.getInstance();
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        MethodHandle sgemm = linker.downcallHandle(lookup.lookup("cblas_sgemm").orElseThrow(),
                MethodType.methodType(void.class, int.class, int.class, int.class, int.class, int.class, int.class,
                        float.class, MemoryAddress.class, int.class, MemoryAddress.class, int.class, float.class,
                        MemoryAddress.class, int.class),
                FunctionDescriptor.ofVoid(CLinker.C_INT, CLinker.C_INT, CLinker.C_INT, CLinker.C_INT, CLinker.C_INT,
                        CLinker.C_INT, CLinker.C_FLOAT, CLinker.C_POINTER, CLinker.C_INT, CLinker.C_POINTER,
                        CLinker.C_INT, CLinker.C_FLOAT, CLinker.C_POINTER, CLinker.C_INT));
        MethodHandle coreName = linker.downcallHandle(lookup.lookup("openblas_get_corename").orElseThrow(),
                MethodType.methodType(MemoryAddress.class), FunctionDescriptor.of(CLinker.C_POINTER));
        int rounds = Integer.getInteger("rounds", 40);
        if (rounds < 4) {
            throw new IllegalArgumentException("rounds : " + rounds + " (expected: >= 4)");
        }
        Kernels kernels = KernelProvider.kernels();
        System.out.printf("Lamina %s, Java %s; OpenBLAS %s, core %s, OPENBLAS_NUM_THREADS=%s; %d rounds of two %d ms slices%n",
                KernelProvider.description(), System.getProperty("java.version"), library,
                CLinker.toJavaString((MemoryAddress) coreName.invokeExact()), System.getenv("OPENBLAS_NUM_THREADS"),
                rounds, SLICE_NANOS / 1_000_000);
        boolean same = true;
        for (String shape : args.length > 0 ? args : SHAPES) {
            same &= run(shape, rounds, kernels, sgemm);
        }
        if (!same) {
            System.exit(1);
        }
    }

    /** Times one shape; returns whether Lamina's and OpenBLAS's C agree. */
    private static boolean run(String shape, int rounds, Kernels kernels, MethodHandle sgemm) throws Throwable {
        String[] parts = shape.split("_");
        String[] dims = parts.length == 2 ? parts[1].split("x") : new String[0];
        if (parts.length != 2 || !parts[0].matches("[NT][NT]") || dims.length != 3) {
            throw new IllegalArgumentException("shape : " + shape + " (expected: <NN|NT|TN|TT>_<M>x<N>x<K>)");
        }
        boolean ta = parts[0].charAt(0) == 'T';
        boolean tb = parts[0].charAt(1) == 'T';
        int m = Integer.parseInt(dims[0]);
        int n = Integer.parseInt(dims[1]);
        int k = Integer.parseInt(dims[2]);
        int lda = ta ? m : k;
        int ldb = tb ? k : n;
        SplittableRandom random = new SplittableRandom(1);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] lamina = new float[m * n];
        float[] openblas = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextDouble(-1, 1);
        }
        ResourceScope scope = ResourceScope.globalScope();
        MemorySegment na = MemorySegment.allocateNative(4L * a.length, 64, scope);
        MemorySegment nb = MemorySegment.allocateNative(4L * b.length, 64, scope);
        MemorySegment nc = MemorySegment.allocateNative(4L * openblas.length, 64, scope);
        na.copyFrom(MemorySegment.ofArray(a));
        nb.copyFrom(MemorySegment.ofArray(b));
        double flop = 2.0 * m * n * k;
        double[] ours = new double[rounds];
        double[] theirs = new double[rounds];
        for (int r = -8; r < rounds; r++) {   // 8 rounds of warm-up: C2 compiles the kernels
            for (int s = 0; s < 2; s++) {
                boolean laminaTurn = ((r + s) & 1) == 0;   // who goes first alternates
                long start = System.nanoTime();
                long elapsed;
                long calls = 0;
                do {
                    if (laminaTurn) {
                        kernels.gemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, lamina, 0, n);
                    } else {
                        sgemm.invokeExact(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1f,
                                na.address(), lda, nb.address(), ldb, 0f, nc.address(), n);
                    }
                    calls++;
                } while ((elapsed = System.nanoTime() - start) < SLICE_NANOS);
                if (r >= 0) {
                    (laminaTurn ? ours : theirs)[r] = flop * calls / elapsed;
                }
            }
        }
        MemorySegment.ofArray(openblas).copyFrom(nc);
        double worst = 0;
        for (int i = 0; i < lamina.length; i++) {
            worst = Math.max(worst, Math.abs(lamina[i] - openblas[i]));
        }
        double tolerance = 1e-5 * k;   // |terms| <= 1, float rounding grows with K
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratio[r] = ours[r] / theirs[r];
        }
        Arrays.sort(ours);
        Arrays.sort(theirs);
        Arrays.sort(ratio);
        System.out.printf("%-20s Lamina %5.1f  OpenBLAS %5.1f GFLOP/s  Lamina/OpenBLAS %.2f (quartiles %.2f-%.2f)  max |diff| %.1e%s%n",
                shape, ours[rounds / 2], theirs[rounds / 2], ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4],
                worst, worst <= tolerance ? "" : "  DIFFERENT (expected <= " + tolerance + ")");
        return worst <= tolerance;
    }
}
