/** Benchmarks of the engine's kernels ({@code dev.lamina.engine.kernel}), chiefly SGEMM. */
package dev.lamina.benchmarks.kernel;
