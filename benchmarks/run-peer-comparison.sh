#!/usr/bin/env bash
# Lamina (ModelBenchJob, 1 and 2 threads) beside PyTorch (one thread), alternating, a few repeats,
# so that load from other processes hits every contender alike. Prints every run, the medians
# and the ratios.
#
#   benchmarks/run-peer-comparison.sh [--model mlp] [--repeats 3] [--steps 2000] [--warmup 1500]
#
# The warm-up is long enough for C2 to finish compiling the engine's kernels: with 500 steps, LeNet
# runs of the same build spread from 10,700 to 16,000 samples/s (compilations landing in the timed steps).
#
# Needs: `mvn -B -q -o -pl jobs -am package -DskipTests` (the jobs jar and spark-classpath.txt),
# Debian's PyTorch (`apt-get install python3-torch`) with OpenBLAS (`libopenblas0-pthread`; with
# only the reference libblas3, PyTorch runs its matrix products at ~3 GFLOP/s).
set -euo pipefail
cd "$(dirname "$0")/.."
model=mlp; repeats=3; steps=2000; warmup=1500
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2;;
    --repeats) repeats=$2; shift 2;;
    --steps) steps=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    *) echo "unknown option $1 (expected: --model, --repeats, --steps, --warmup)" >&2; exit 2;;
  esac
done
jar=jobs/target/lamina-jobs-app.jar
[ -f "$jar" ] || { echo "missing $jar: run mvn -B -q -o -pl jobs -am package -DskipTests" >&2; exit 2; }
cp="$jar:$(cat jobs/target/spark-classpath.txt)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

lamina() { # threads
  java -cp "$cp" --add-modules jdk.incubator.vector dev.lamina.jobs.ModelBenchJob \
    --model "$model" --threads "$1" --steps "$steps" --warmup "$warmup" 2>/dev/null | tail -1
}
# The Transformer reads the same text in both: the Brown corpus's training split, which Lamina's bench
# writes to the cache as plain text on first use.
cache=${LAMINA_CACHE:-$HOME/.cache/lamina}
text=()
[ "$model" = transformer ] && text=(--text "$cache/brown/text/train.txt")
torch1() {
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
    /usr/bin/python3 benchmarks/pytorch/bench_torch.py --model "$model" --threads 1 \
    --steps "$steps" --warmup "$warmup" "${text[@]}" 2>/dev/null | tail -1
}

for r in $(seq 1 "$repeats"); do
  lamina 1 | tee -a "$out/lamina1"
  lamina 2 | tee -a "$out/lamina2"
  torch1 | tee -a "$out/torch1"
done

/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys, os
d = sys.argv[1]
def med(name):
    runs = [json.loads(l) for l in open(os.path.join(d, name)) if l.strip().startswith("{")]
    return statistics.median(r["samples_per_second"] for r in runs), [r["samples_per_second"] for r in runs], runs
l1, l1s, l1r = med("lamina1"); l2, l2s, _ = med("lamina2"); t1, t1s, _ = med("torch1")
print(f"{'contender':<22}{'median samples/s':>18}   runs")
for name, m, s in (("lamina 1 thread", l1, l1s), ("lamina 2 threads", l2, l2s), ("pytorch 1 thread", t1, t1s)):
    print(f"{name:<22}{m:>18.0f}   {s}")
print(f"lamina 1T / pytorch 1T : {l1 / t1:.2f}x")
print(f"lamina 2T / lamina 1T  : {l2 / l1:.2f}x")
print(f"allocated bytes/step (lamina 1T): {[r['allocated_bytes_per_step'] for r in l1r]}")
PY
