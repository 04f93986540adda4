import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { InputFile } from '../lib/formats/types';
import { sniffFormat } from '../lib/formats/registry';

async function readOne(p: string): Promise<InputFile> {
  const buf = await readFile(p);
  return { name: path.basename(p), bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
}

/**
 * The files named on the command line; a folder stands for the files in it. A TF.js
 * model.json given alone brings its weight shards from beside it, as the browser's URL
 * opener does.
 */
export async function loadInputFiles(args: string[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const dirOf = new Map<InputFile, string>();
  for (const a of args) {
    const s = await stat(a).catch(() => null);
    if (!s) throw new Error(`${a}: no such file or folder`);
    if (s.isDirectory()) {
      const names = (await readdir(a)).sort();
      for (const n of names) {
        const p = path.join(a, n);
        if (!(await stat(p)).isFile()) continue;
        const f = await readOne(p);
        dirOf.set(f, a);
        out.push(f);
      }
    } else {
      const f = await readOne(a);
      dirOf.set(f, path.dirname(a));
      out.push(f);
    }
  }
  // Folder input: put the recognised model file first.
  const primaryIndex = out.findIndex((f) => sniffFormat(f.bytes) !== null);
  if (primaryIndex > 0) out.unshift(...out.splice(primaryIndex, 1));
  const primary = out[0];
  const fmt = primary ? sniffFormat(primary.bytes) : null;
  if (primary && fmt?.companions) {
    const have = new Set(out.map((f) => f.name));
    for (const rel of fmt.companions(primary)) {
      const base = rel.split('/').pop() || rel;
      if (have.has(base)) continue;
      const dir = path.resolve(dirOf.get(primary) ?? '.');
      const p = path.resolve(dir, rel);
      // A manifest is untrusted input: never let it name files outside the model's folder.
      if (!p.startsWith(dir + path.sep)) continue;
      const f = await readOne(p).catch(() => null);
      if (f) {
        out.push({ name: base, bytes: f.bytes });
        have.add(base);
      }
    }
  }
  return out;
}
