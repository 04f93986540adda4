import type { DType } from '../ir/types';
import type { HostTensor } from '../runtime/types';
import { allocHostData } from '../runtime/host-tensor';

export interface InputSpec {
  name: string;
  dtype: DType;
  shape: Array<number | null>;
}

export type ImageLayout = { layout: 'NCHW' | 'NHWC'; channels: number; height: number; width: number };

/**
 * Reads an image input's layout from its shape: rank 4 with 1 or 3 channels first (NCHW, ONNX
 * habit) or last (NHWC, TFLite habit). Unknown spatial dims default to `fallback`.
 */
export function imageLayout(shape: Array<number | null>, fallback = 224): ImageLayout | null {
  if (shape.length !== 4) return null;
  const [, a, b, c] = shape;
  const isCh = (d: number | null | undefined) => d === 1 || d === 3 || d === 4;
  const size = (d: number | null | undefined) => (typeof d === 'number' && d > 0 ? d : fallback);
  const nhwc: ImageLayout | null = isCh(c) ? { layout: 'NHWC', channels: c as number, height: size(a), width: size(b) } : null;
  const nchw: ImageLayout | null = isCh(a) ? { layout: 'NCHW', channels: a as number, height: size(b), width: size(c) } : null;
  // Both readings possible: an RGB reading wins, then the one with the larger picture.
  if (nhwc && nchw) {
    if ((a === 3) !== (c === 3)) return a === 3 ? nchw : nhwc;
    return nchw.height * nchw.width >= nhwc.height * nhwc.width ? nchw : nhwc;
  }
  return nhwc ?? nchw;
}

/** How pixel values 0..255 map to the model's input range. */
export type Normalisation = 'unit' | 'signed' | 'imagenet' | 'raw';

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

function normalise(v: number, c: number, mode: Normalisation): number {
  switch (mode) {
    case 'unit': return v / 255;
    case 'signed': return v / 127.5 - 1;
    case 'imagenet': return (v / 255 - IMAGENET_MEAN[c % 3]!) / IMAGENET_STD[c % 3]!;
    case 'raw': return v;
  }
}

/** Bilinear sample of one RGBA channel at a fractional position (pixel centres aligned). */
function sample(rgba: ArrayLike<number>, w: number, h: number, x: number, y: number, ch: number): number {
  const fx = Math.min(Math.max(x, 0), w - 1), fy = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.floor(fx), y0 = Math.floor(fy);
  const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
  const dx = fx - x0, dy = fy - y0;
  const at = (xx: number, yy: number) => rgba[(yy * w + xx) * 4 + ch]!;
  return (at(x0, y0) * (1 - dx) + at(x1, y0) * dx) * (1 - dy) + (at(x0, y1) * (1 - dx) + at(x1, y1) * dx) * dy;
}

/**
 * An RGBA image (any size) as a model input: resized bilinearly to the input's height and width,
 * converted to grey for 1-channel inputs (Rec. 601 luma), normalised, in the input's layout.
 */
export function imageToTensor(rgba: ArrayLike<number>, w: number, h: number, spec: InputSpec, mode: Normalisation): HostTensor {
  const l = imageLayout(spec.shape);
  if (!l) throw new Error(`input '${spec.name}' has shape [${spec.shape.join(', ')}], not an image (rank 4 with 1, 3 or 4 channels)`);
  const { height: H, width: W, channels: C } = l;
  const n = H * W * C;
  const data = allocHostData(spec.dtype, n);
  const float = data instanceof Float32Array || data instanceof Float64Array;
  for (let y = 0; y < H; y++) {
    const sy = ((y + 0.5) * h) / H - 0.5;
    for (let x = 0; x < W; x++) {
      const sx = ((x + 0.5) * w) / W - 0.5;
      const r = sample(rgba, w, h, sx, sy, 0), g = sample(rgba, w, h, sx, sy, 1), b = sample(rgba, w, h, sx, sy, 2);
      for (let c = 0; c < C; c++) {
        const v = C === 1 ? 0.299 * r + 0.587 * g + 0.114 * b : c === 0 ? r : c === 1 ? g : c === 2 ? b : sample(rgba, w, h, sx, sy, 3);
        const value = float ? normalise(v, c, mode) : Math.round(v);
        const i = l.layout === 'NHWC' ? (y * W + x) * C + c : (c * H + y) * W + x;
        (data as Float32Array)[i] = value;
      }
    }
  }
  const shape = l.layout === 'NHWC' ? [1, H, W, C] : [1, C, H, W];
  return { name: spec.name, dtype: spec.dtype, shape, data };
}

/** Grey 8-bit images (e.g. Fashion-MNIST) as RGBA, for the same path as photos. */
export function greyToRgba(grey: Uint8Array, w: number, h: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const v = grey[i]!;
    out[i * 4] = v; out[i * 4 + 1] = v; out[i * 4 + 2] = v; out[i * 4 + 3] = 255;
  }
  return out;
}
