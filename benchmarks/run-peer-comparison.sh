#!/usr/bin/env bash
# Lamina (ModelBenchJob, 1 and 2 threads) beside PyTorch (one thread), taking turns: the three run as
# separate processes at once, and a coordinator lets one of them work at a time, block by block
# (first each one's warm-up, then --rounds rounds of steps/rounds steps each, the order rotating from
# round to round). The machine's load from other tenants then falls on every contender alike, and
# each round gives its own ratios. Prints each contender's samples/s over all its blocks, the ratios
# of those, and the median and range of the per-round ratios.
#
#   benchmarks/run-peer-comparison.sh [--model mlp|lenet|transformer] [--rounds 8] [--steps 2000]
#                                     [--warmup 1500]
#
# The warm-up is long enough for C2 to finish compiling the engine's kernels: with 500 steps, LeNet
# runs of the same build spread from 10,700 to 16,000 samples/s (compilations landing in the timed steps).
#
# Needs: `mvn -B -q -o -pl jobs -am package -DskipTests` (the jobs jar and spark-classpath.txt),
# Debian's PyTorch (`apt-get install python3-torch`) with OpenBLAS (`libopenblas0-pthread`; with
# only the reference libblas3, PyTorch runs its matrix products at ~3 GFLOP/s).
set -euo pipefail
cd "$(dirname "$0")/.."
model=mlp; rounds=8; steps=2000; warmup=1500
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2;;
    --rounds) rounds=$2; shift 2;;
    --steps) steps=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    *) echo "unknown option $1 (expected: --model, --rounds, --steps, --warmup)" >&2; exit 2;;
  esac
done
jar=jobs/target/lamina-jobs-app.jar
[ -f "$jar" ] || { echo "missing $jar: run mvn -B -q -o -pl jobs -am package -DskipTests" >&2; exit 2; }
cp="$jar:$(cat jobs/target/spark-classpath.txt)"
# The Transformer reads the same text in both: the Brown corpus's training split, which Lamina's bench
# writes to the cache as plain text on first use.
cache=${LAMINA_CACHE:-$HOME/.cache/lamina}
text=""
[ "$model" = transformer ] && text="$cache/brown/text/train.txt"

# The project's JVM options, from their one place (the parent pom), as bin/lamina reads them.
jvm_options="$(sed -n 's:.*<lamina.jvm.options>\(.*\)</lamina.jvm.options>.*:\1:p' pom.xml)"

/usr/bin/python3 - "$model" "$rounds" "$steps" "$warmup" "$cp" "$text" "$jvm_options" <<'PY'
import errno, json, os, select, statistics, subprocess, sys, tempfile, time

model, rounds, steps, warmup, cp, text = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
jvm_options = sys.argv[7].split()
common = ["--model", model, "--steps", str(steps), "--warmup", str(warmup), "--rounds", str(rounds)]
torch_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
torch_env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
lamina = ["java"] + jvm_options + ["-cp", cp, "dev.lamina.jobs.ModelBenchJob"]
contenders = [
    ("lamina 1 thread", lamina + ["--threads", "1"] + common, None),
    ("lamina 2 threads", lamina + ["--threads", "2"] + common, None),
    ("pytorch 1 thread", ["/usr/bin/python3", "benchmarks/pytorch/bench_torch.py", "--threads", "1"] + common
     + (["--text", text] if text else []), torch_env),
]
work = tempfile.mkdtemp(prefix="lamina-peer-")
procs, gos, dones, outs = [], [], [], []
try:
    for i, (name, cmd, env) in enumerate(contenders):
        go, done = os.path.join(work, f"go{i}"), os.path.join(work, f"done{i}")
        os.mkfifo(go)
        os.mkfifo(done)
        dones.append(os.open(done, os.O_RDONLY | os.O_NONBLOCK))
        out = open(os.path.join(work, f"out{i}"), "w+")
        outs.append(out)
        procs.append(subprocess.Popen(cmd + ["--go", go, "--done", done], stdout=out, stderr=subprocess.DEVNULL, env=env))
        while True:  # the contender opens go for reading once it has loaded its data
            try:
                gos.append(os.open(go, os.O_WRONLY | os.O_NONBLOCK))
                break
            except OSError as e:
                if e.errno != errno.ENXIO:
                    raise
                if procs[i].poll() is not None:
                    sys.exit(f"{name} exited with {procs[i].returncode} before its first turn")
                time.sleep(0.05)
        os.set_blocking(gos[i], True)

    def turn(i):
        os.write(gos[i], b".")
        while True:
            ready, _, _ = select.select([dones[i]], [], [], 1.0)
            data = os.read(dones[i], 1) if ready else b""
            if data:
                return
            if procs[i].poll() is not None:
                sys.exit(f"{contenders[i][0]} exited with {procs[i].returncode} during its turn")
            time.sleep(0.01)

    for i in range(len(contenders)):
        turn(i)  # warm-ups, one at a time
    for r in range(rounds):
        for k in range(len(contenders)):
            turn((r + k) % len(contenders))
    for fd in gos:
        os.close(fd)
    for (name, _, _), p in zip(contenders, procs):
        if p.wait() != 0:
            sys.exit(f"{name} exited with {p.returncode}")
    reports = []
    for out in outs:
        out.seek(0)
        reports.append(json.loads([l for l in out.read().splitlines() if l.startswith("{")][-1]))
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()

batch = [r["batch"] for r in reports]
per_round = [[batch[i] * (steps // rounds + (1 if k < steps % rounds else 0)) / s
              for k, s in enumerate(r.get("block_seconds", [steps / r["samples_per_second"] * batch[i]]))]
             for i, r in enumerate(reports)]
print(f"{'contender':<20}{'samples/s':>12}   per round")
for (name, _, _), r, rs in zip(contenders, reports, per_round):
    print(f"{name:<20}{r['samples_per_second']:>12.0f}   {[round(x) for x in rs]}")
def ratio(a, b, label):
    pairs = [x / y for x, y in zip(per_round[a], per_round[b])]
    total = reports[a]["samples_per_second"] / reports[b]["samples_per_second"]
    print(f"{label:<24}: {total:.2f}x over all rounds; per round median {statistics.median(pairs):.2f}x,"
          f" range {min(pairs):.2f}-{max(pairs):.2f}x")
ratio(0, 2, "lamina 1T / pytorch 1T")
ratio(1, 0, "lamina 2T / lamina 1T")
print(f"allocated bytes/step: lamina 1T {reports[0]['allocated_bytes_per_step']},"
      f" 2T {reports[1]['allocated_bytes_per_step']}")
print(json.dumps({"model": model, "rounds": rounds, "steps": steps, "warmup": warmup,
                  "contenders": {name: r for (name, _, _), r in zip(contenders, reports)}}))
PY
