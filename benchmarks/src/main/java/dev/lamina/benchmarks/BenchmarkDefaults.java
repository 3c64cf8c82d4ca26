package dev.lamina.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Shared JMH defaults for every Lamina benchmark; subclasses inherit these annotations and may
 * override any of them. One fork with the Vector API module (so {@code KernelProvider} picks the
 * SIMD kernels, as it does in training), short warm-up and measurement, throughput per second,
 * one state instance per thread.
 *
 * <p>Run with {@code java -jar benchmarks/target/lamina-benchmarks-jmh.jar <regex>}; JMH options
 * on the command line ({@code -f}, {@code -wi}, {@code -i}, {@code -w}, {@code -r}) override these.
 * The fork's options sit in {@code jvmArgs}, so that {@code -jvmArgsAppend} and
 * {@code -jvmArgsPrepend} on the command line add to them: JMH replaces an annotation's list with
 * the command line's list of the same kind, and a fork without the Vector API module falls back to
 * the scalar kernels.
 */
@Fork(value = 1, jvmArgs = {"--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=1000",
    "-XX:CompileCommand=quiet",
    "-XX:CompileCommand=option,dev.lamina.engine.kernel.VectorMath::*,double,CompileThresholdScaling,0.1",
    "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public abstract class BenchmarkDefaults {
}
