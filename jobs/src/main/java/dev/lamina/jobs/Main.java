package dev.lamina.jobs;

import java.util.Arrays;

/**
 * The one entry point for spark-submit and bin/lamina: {@code Main <command> [options]}.
 * Commands: {@code train}, {@code evaluate}, {@code predict}, {@code retrain}, {@code registry}, {@code baseline},
 * {@code generate}, {@code bench}, {@code plan}, {@code ps}.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(usage());
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "train" -> TrainJob.main(rest);
            case "evaluate" -> EvaluateJob.main(rest);
            case "predict" -> PredictJob.main(rest);
            case "ps" -> ShardJob.main(rest);
            case "retrain" -> RetrainJob.main(rest);
            case "registry" -> RegistryJob.main(rest);
            case "baseline" -> BaselineJob.main(rest);
            case "generate" -> GenerateJob.main(rest);
            case "plan" -> PlanJob.main(rest);
            case "bench" -> {
                if (Arrays.asList(rest).contains("--suite")) {
                    BenchJob.main(rest);
                } else {
                    ModelBenchJob.main(rest);
                }
            }
            default -> {
                System.err.println("lamina: unknown command '" + args[0] + "' (expected: train, evaluate, predict, retrain, registry, baseline, generate, bench, plan or ps)");
                System.err.println(usage());
                System.exit(2);
            }
        }
    }

    static String usage() {
        return String.join("\n",
                "usage: lamina <command> [options]",
                "  train    --config FILE [--set key=value]... [--output DIR] [--master URL] [--resume]",
                "           train the model the job file describes; writes model.json, weights.safetensors, metrics.json;",
                "           --resume continues a stopped run from the newest checkpoint in training.checkpointDir",
                "  evaluate --model DIR --config FILE [--set key=value]... [--master URL]",
                "           evaluate a trained model on the job file's test data; prints and writes DIR/evaluation.json",
                "  predict  --model DIR --config FILE --output PATH [--format parquet|json|csv] [--set key=value]... [--master URL]",
                "           score the job file's test data: prediction and probability per row (reconstruction_error",
                "           for an autoencoder), written with the row's other columns",
                "  retrain  --config FILE --registry URL --run-id ID [--force] [--set key=value]... [--master URL]",
                "           train a challenger (warm start from the champion), compare on held-out data, check drift,",
                "           register it and promote it if better; exit 0 promoted or kept, 3 drift blocked, 4 bad data,",
                "           75 registry locked by another run, 2 bad arguments, 1 failure",
                "  registry list|show [N]|promote N [--force]|rollback [--to N] --registry URL [--reason TEXT]",
                "           inspect a model registry and move its champion pointer",
                "  baseline --config FILE [--set key=value]... [--output DIR] [--master URL]",
                "           Spark MLlib baselines beside the deep model on the same split; writes DIR/baseline.html",
                "  generate --model DIR [--prompt TEXT] [--tokens 200] [--temperature 0.8] [--top-k 40] [--seed 1]",
                "           print the prompt and characters sampled from a trained character language model",
                "  bench    --model mlp|lenet|transformer|lstm --threads N [--batch B] [--steps S] [--warmup W]",
                "           train a model in-process with the engine (no Spark) and print samples/s, GFLOP/s, bytes/step",
                "  bench    --suite ps [--params N] [--workers N] [--steps N] [--warmup N] [--shards N] [--busy-us N]",
                "           [--exchange tcp|memory] [--tls-keystore K --tls-password-file W]",
                "           plain-Java benchmark (no Spark): parameter-server push+pull GB/s over loopback vs memcpy",
                "  bench    --suite scaling [--model mlp|lenet] [--runs 1:sync,2:sync,1:local-sgd,2:local-sgd] [--epochs N]",
                "           [--repeats N] [--mllib 50,100,150|off] [--config FILE] [--json FILE] [--set key=value]...",
                "           local Spark, each run in its own JVM: Lamina with 1 and 2 workers per mode beside Spark MLlib's",
                "           MultilayerPerceptronClassifier; samples/s, epoch time split, time to 95%/97% test accuracy",
                "  bench    --suite netem [--model lenet|mlp] [--bandwidths 0,1000,100] [--delay-ms 1] [--modes ...]",
                "           [--compressions ...] [--steps N] [--json FILE]   (root: network namespaces and tc)",
                "           server and workers as JVMs in network namespaces over shaped links; samples/s per mode/codec",
                "  plan     --model FILE --workers N [--shards S] [--bandwidth GBIT] [--latency MS] [--batch B]",
                "           [--sync-every H] [--stage-overhead S] [--validate BENCH.jsonl,...] [--json FILE]",
                "           cost model calibrated here: step time, samples/s, efficiency per mode/compression up to 512",
                "           workers, and a recommendation; --validate compares with bench --suite scaling/netem lines",
                "  ps       --port P --secret-file F [--host H] [--max-frame-bytes N] [--tls-keystore K --tls-password-file W]",
                "           one standalone parameter-server shard; a driver with training.servers initialises it");
    }
}
