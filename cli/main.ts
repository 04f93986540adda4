import { bench } from './bench';
import { inspect, inspectText } from './inspect';
import { run, UsageError } from './run';

const USAGE = `Edge Model Studio CLI

  npm run cli -- inspect <model file(s) or folder> [--json]

  inspect   read an ONNX, TFLite or TF.js model (model.json + weight shards) and print its
            format, operator count, op histogram, inputs, outputs, parameters and size.
            --json prints the same as JSON.

  npm run cli -- run <model> [--input a.npy[,b.npy]] [--output out.npy] [--runtime ort|litert|tfjs]
                 [--backend wasm|cpu|webgpu|webgl] [--input-shape name=1x3x224x224]... [--seed N]

  run       run the model once and write its outputs as .npy (several outputs: --output out_%d.npy).
            --input gives one .npy per model input, in input order (float64/int64 arrays are cast
            to the input's dtype). Without --input: seeded random inputs of the model's input
            shapes; dynamic dims need --input-shape. Default runtime: ort for .onnx, litert for
            .tflite, tfjs for TF.js; default backend: wasm where the runtime has it.

  npm run cli -- bench <model> [--runtime ...] [--backend ...] [--runs N] [--warmup N] [--json]
                 [--input a.npy,...] [--input-shape name=dims]...

  bench     time N runs (default 50) after warm-up runs (default 5) and print median, p90, min
            and mean latency in ms. --json prints { runtime, backend, runs, medianMs, p90Ms,
            minMs, meanMs, ... }.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if ((cmd === 'run' || cmd === 'bench') && !rest.includes('--help')) {
    try {
      return await (cmd === 'run' ? run(rest) : bench(rest));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      console.error(`${cmd}: ${e.message}\n\n${USAGE}`);
      return 2;
    }
  }
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const args = rest.filter((a) => !a.startsWith('--'));
  if (!cmd || cmd === 'help' || flags.has('--help')) {
    console.log(USAGE);
    return cmd ? 0 : 1;
  }
  if (cmd === 'inspect') {
    if (args.length === 0) {
      console.error('inspect: give at least one model file\n\n' + USAGE);
      return 2;
    }
    const s = await inspect(args);
    console.log(flags.has('--json') ? JSON.stringify(s, null, 2) : inspectText(s));
    return 0;
  }
  console.error(`unknown command '${cmd}'\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
