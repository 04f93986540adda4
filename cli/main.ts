import { inspect, inspectText } from './inspect';

const USAGE = `Edge Model Studio CLI

  npm run cli -- inspect <model file(s) or folder> [--json]

  inspect   read an ONNX, TFLite or TF.js model (model.json + weight shards) and print its
            format, operator count, op histogram, inputs, outputs, parameters and size.
            --json prints the same as JSON.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
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
