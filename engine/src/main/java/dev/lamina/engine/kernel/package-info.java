/**
 * The numeric kernels of the engine: the {@link dev.lamina.engine.kernel.Kernels} interface, the
 * readable {@link dev.lamina.engine.kernel.ScalarKernels} reference, the Vector API
 * implementation (package-private {@code VectorKernels} and the packed SGEMM {@code VectorGemm})
 * and {@link dev.lamina.engine.kernel.KernelProvider}, which picks one once per JVM.
 *
 * <p>Rule: this is the only package of the engine (and of Lamina) that imports
 * {@code jdk.incubator.vector}; everything else calls {@code KernelProvider.kernels()}. The rule
 * is enforced by {@code dev.lamina.engine.ArchitectureTest}. Kernels take
 * {@code (array, offset, ...)} arguments with the output last, allocate nothing in steady state
 * and check their arguments only with {@code assert}; callers validate shapes.
 */
package dev.lamina.engine.kernel;
