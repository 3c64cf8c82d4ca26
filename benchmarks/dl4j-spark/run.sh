#!/usr/bin/env bash
# The DL4J-Spark peer of `bin/lamina bench --suite scaling --model mlp`: builds this project on request
# (Spark 3.5.9 / Scala 2.12, dl4j-spark_2.12 1.0.0-M2, nd4j-native linux-x86_64; never part of the Lamina
# build or CI) and trains the same MLP with ParameterAveragingTrainingMaster on local[2].
#   benchmarks/dl4j-spark/run.sh [--epochs 5] [--workers 2] [--batch 64] [--data ~/.cache/lamina/mnist]
# Prints a line per epoch and one JSON line with the keys Lamina's bench prints.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ ! -f "$here/target/classpath.txt" ] || [ -n "$(find "$here/src" "$here/pom.xml" -newer "$here/target/classpath.txt" -print -quit)" ]; then
  (cd "$here" && mvn -B -q -DskipTests -Djavacpp.platform=linux-x86_64 package) >&2
fi
jvm_options="$(sed -n 's:.*<lamina.jvm.options>\(.*\)</lamina.jvm.options>.*:\1:p' "$root/pom.xml")"
# OpenBLAS picks its kernels from OPENBLAS_CORETYPE; this machine's environment sets Haswell (and an L2
# size), which halves it on an AVX-512 CPU (see ../shared/NOTES.md): SkylakeX is the AVX-512 kernel set.
# Only where the CPU has AVX-512: forcing SkylakeX on an AVX2-only CPU kills the JVM with SIGILL.
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=SkylakeX
else
  export OPENBLAS_CORETYPE=Haswell
fi
unset OPENBLAS_L2_SIZE
# One core per worker, as Lamina's tasks have: with their default thread counts every worker's nd4j
# (OpenMP) and OpenBLAS threads spin against each other on a 2-core machine (see ../shared/NOTES.md).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# shellcheck disable=SC2086
exec java -Xmx6g $jvm_options -Djavacpp.platform=linux-x86_64 \
  -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" dev.lamina.peer.dl4j.Dl4jSparkPeer "$@"
