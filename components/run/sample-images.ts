'use client';
import { greyToRgba } from '@/lib/run/inputs';
import { decodeImageBlob } from '@/lib/run/decode-image';

export interface SampleImage {
  label: string;
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

let cache: Promise<SampleImage[]> | null = null;

/** The bundled Fashion-MNIST test images (public/models/fashion-mnist-samples.bin). */
export function loadSampleImages(): Promise<SampleImage[]> {
  cache ??= (async () => {
    try {
      const [bin, info] = await Promise.all([
        fetch('/models/fashion-mnist-samples.bin').then((r) => r.arrayBuffer()),
        fetch('/models/fashion-mnist-cnn.json').then((r) => r.json() as Promise<{ labels: string[]; samples: { labels: number[] } }>),
      ]);
      const bytes = new Uint8Array(bin);
      const n = Math.floor(bytes.length / 784);
      return Array.from({ length: n }, (_, i) => ({
        label: `sample ${i + 1}: ${info.labels[info.samples.labels[i] ?? -1] ?? '?'}`,
        rgba: greyToRgba(bytes.subarray(i * 784, (i + 1) * 784), 28, 28),
        width: 28,
        height: 28,
      }));
    } catch {
      return [];
    }
  })();
  return cache;
}

/** Decodes a picked photo to RGBA pixels in the page (createImageBitmap is off-thread decoding). */
export async function decodeImage(file: File): Promise<SampleImage> {
  const im = await decodeImageBlob(file);
  return { label: im.name, rgba: im.rgba, width: im.width, height: im.height };
}
