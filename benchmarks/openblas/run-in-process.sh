#!/usr/bin/env bash
# Lamina's SGEMM against OpenBLAS's in one JVM, taking turns in 30 ms slices (InProcessSgemm.java),
# one thread each, OpenBLAS with the kernel it picks for this CPU (OPENBLAS_CORETYPE unset).
#
#   benchmarks/openblas/run-in-process.sh [--rounds 40] [SHAPE ...]     (shapes as in GemmBenchmark)
#
# Needs: JDK 17 (the program uses JDK 17's jdk.incubator.foreign), the engine jar
# (`mvn -B -q -pl engine package -DskipTests`) and OpenBLAS (Debian: libopenblas0-pthread).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=40
shapes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2;;
    --*) echo "unknown option $1 (expected: --rounds N, then shapes such as NN_512x512x512)" >&2; exit 2;;
    *) shapes+=("$1"); shift;;
  esac
done
engine=$(ls engine/target/lamina-engine-*.jar 2>/dev/null | grep -v -e sources -e tests | head -n 1 || true)
[ -n "$engine" ] || { echo "no engine jar under engine/target (run: mvn -B -q -pl engine package -DskipTests)" >&2; exit 1; }
library=$(ldconfig -p | awk '/libopenblas\.so\.0 /{print $NF; exit}')
[ -n "$library" ] || { echo "OpenBLAS not found by ldconfig (Debian: apt-get install libopenblas0-pthread)" >&2; exit 1; }
jvm_options="$(sed -n 's:.*<lamina.jvm.options>\(.*\)</lamina.jvm.options>.*:\1:p' pom.xml)"
set -f
# shellcheck disable=SC2086
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
  java -Xmx4g $jvm_options --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED \
  -Dopenblas="$library" -Drounds="$rounds" -cp "$engine" benchmarks/openblas/InProcessSgemm.java "${shapes[@]}"
