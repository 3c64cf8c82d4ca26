/**
 * JMH benchmarks for Lamina. Packages mirror the engine's ({@code kernel}, ...), and every
 * benchmark extends {@link dev.lamina.benchmarks.BenchmarkDefaults} for its fork, warm-up and
 * measurement settings. Benchmarks never run as tests; build the shaded jar with
 * {@code mvn -pl engine,benchmarks package -DskipTests} and run {@code target/lamina-benchmarks-jmh.jar}.
 */
package dev.lamina.benchmarks;
