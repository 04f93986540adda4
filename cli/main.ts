import { bench } from './bench';
import { convert } from './convert';
import { evalCommand } from './eval';
import { inspect, inspectText } from './inspect';
import { optimizeCommand } from './optimize';
import { pruneCommand } from './prune';
import { quantizeCommand } from './quantize';
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
            minMs, meanMs, ... }.

  npm run cli -- convert <model> -o <out.tflite> [--input-shape name=1x3x224x224]... [--keep-layout]
                 [--input-value name=v1,v2,...]... [--verify] [--seed N] [--json]

  convert   convert an ONNX or TF.js model (or rewrite a .tflite) to .tflite and print the report:
            ops in/out, folded batch norms, transposes removed, notes. An op that cannot be
            converted is named (op type, node names, count); then nothing is written and the exit
            code is 1. ONNX image inputs/outputs become NHWC unless --keep-layout. --input-value
            fixes an ONNX input to a constant (e.g. silero VAD's sr=16000, Resize scales left as
            inputs), which folds what depends on it; the recipe records it. --verify runs the
            original in its own runtime and the .tflite in LiteRT.js, tfjs-tflite and Arm NN on
            seeded random inputs, prints runtime -> ok/mismatch/unsupported and the max |diff|,
            and exits 1 on a mismatch.

  npm run cli -- quantize <model> -o <out.tflite|out.onnx> --mode float16|dynamic|int8|int16x8
                 [--calib <folder of images | a.npy[,b.npy] | samples | random[:N]>]
                 [--calib-method minmax|percentile:99.99|mse] [--calib-count N]
                 [--calib-norm unit|signed|imagenet|raw] [--per-tensor] [--per-channel-dense]
                 [--float-io] [--keep-float <regex>]... [--int16 <regex>]... [--json]

  quantize  post-training quantization (converting to TFLite first if needed). float16 and
            dynamic change weights only; int8 and int16x8 need calibration data: images (resized
            to the input, normalised with --calib-norm), .npy samples or batches (one file or
            folder per input, in the original model's layout), 'samples' (the bundled
            Fashion-MNIST images) or 'random' (a warning: ranges from noise). Weights are per
            channel (dense layers per tensor unless --per-channel-dense). --keep-float and
            --int16 pick node precisions by regular expression on node names. An .onnx output
            (ONNX models, --mode int8) is a QDQ model as onnxruntime's quantizer writes it, with
            --activations uint8 (default: onnxruntime's fast path) or int8. --json prints the report and the recipe.

  npm run cli -- prune <model> -o <out.tflite|out.onnx> [--sparsity 0.5] [--scope global|layer]
                 [--pattern 2:4] [--structured 0.25] [--criterion l1|l2] [--exclude <name or /regex/>]...

  prune     zero the smallest weights (--sparsity, one global threshold unless --scope layer),
            keep N of every M along the reduction axis (--pattern), or remove that fraction of
            each conv / dense layer's filters and rewire what follows (--structured), then write
            the model (.tflite converts first; .onnx for ONNX models). Prints raw and gzipped
            sizes before and after: unstructured zeros only shrink the compressed file.

  npm run cli -- optimize <model> --recipe <recipe.json> -o <out.tflite|out.onnx> [--variant <id>] [--json]

  optimize  replay a recipe on the model and write the result: the same bytes the app or
            'quantize' wrote for it, without the calibration data. The recipe file is the JSON
            array of { transform, options } steps, an object with "recipe" (what quantize --json
            prints), or a report with "variants" (pick one with --variant <id>). The output's
            extension must match what the recipe makes (.tflite for TFLite, .onnx for QDQ ONNX).
            Unknown transforms, wrong option types and steps that fail are named by step number.

  npm run cli -- eval <model> [--data <folder | x.npy[,b.npy]>] [--labels <y.npy>] [--reference <float model>]
                 [--runtime litert|ort|tfjs] [--backend ...] [--count N] [--norm unit|signed|imagenet|raw] [--json]

  eval      run the model on evaluation data in a real runtime (default as for run) and print its
            metrics: accuracy with labels; with --reference (run in its own default runtime on
            the same samples) top-1 agreement, top-5 overlap, cosine and SQNR. --data is a folder
            with one sub-folder of images per class (classes sorted by name are labels 0, 1, ...),
            a folder of unlabelled images (with --reference), or .npy inputs ([N, ...] batches in
            either layout) with --labels a .npy of N class indices. Without --data: the 1000
            bundled Fashion-MNIST test images (one 28x28x1 image input). --norm scales images
            (default unit: [0, 1]). Integer I/O is quantized / dequantized with the model's
            parameters. --json prints { model, runtime, backend, dataset, metrics, classes?,
            reference? }; an SQNR of identical outputs is the string "Infinity".`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const commands: Record<string, (argv: string[]) => Promise<number>> = { run, bench, convert, quantize: quantizeCommand, prune: pruneCommand, optimize: optimizeCommand, eval: evalCommand };
  const command = cmd ? commands[cmd] : undefined;
  if (command && !rest.includes('--help')) {
    try {
      return await command(rest);
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
