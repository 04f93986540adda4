'use client';
import type { ModelSource } from './controller';

/** Dropped folders can be huge (a whole project); a model never needs more files than this. */
const MAX_FILES = 500;

export interface PickedFile {
  name: string;
  blob: Blob;
}

type Entry = FileSystemEntry;

function readEntries(dir: FileSystemDirectoryEntry): Promise<Entry[]> {
  const reader = dir.createReader();
  const all: Entry[] = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0 || all.length >= MAX_FILES) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function entryFile(e: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => e.file(resolve, reject));
}

/** Files from a drop, walking dropped folders (iteratively, bounded) so a model folder just works. */
export async function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const entries: Entry[] = [];
  for (const item of Array.from(dt.items)) {
    const entry = item.kind === 'file' ? item.webkitGetAsEntry?.() : null;
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return Array.from(dt.files, (f) => ({ name: f.name, blob: f }));
  const out: PickedFile[] = [];
  const queue = [...entries];
  while (queue.length && out.length < MAX_FILES) {
    const e = queue.shift()!;
    if (e.isFile) out.push({ name: e.name, blob: await entryFile(e as FileSystemFileEntry) });
    else if (e.isDirectory) queue.push(...(await readEntries(e as FileSystemDirectoryEntry)));
  }
  return out;
}

export function filesFromInput(list: FileList | null): PickedFile[] {
  return Array.from(list ?? [], (f) => ({ name: f.name, blob: f })).slice(0, MAX_FILES);
}

export function describeFiles(files: PickedFile[]): string {
  if (files.length === 1) return files[0]!.name;
  const json = files.find((f) => /\.json$/i.test(f.name));
  return `${json?.name ?? files[0]?.name ?? 'files'} + ${files.length - 1} more`;
}

export function filesSource(files: PickedFile[]): ModelSource {
  return { kind: 'files', files, label: describeFiles(files) };
}
