/**
 * An image file to RGBA pixels with the browser's own decoders (createImageBitmap and an
 * OffscreenCanvas work in the page and in workers alike). Browser only.
 */
export interface RgbaImage { name: string; rgba: Uint8ClampedArray; width: number; height: number }

export async function decodeImageBlob(file: Blob): Promise<RgbaImage> {
  const name = (file as File).name ?? 'image';
  const bmp = await createImageBitmap(file).catch(() => {
    throw new Error(`${name}: not an image this browser can decode`);
  });
  const canvas = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas available');
  ctx.drawImage(bmp, 0, 0);
  const { data } = ctx.getImageData(0, 0, bmp.width, bmp.height);
  bmp.close();
  return { name, rgba: data, width: canvas.width, height: canvas.height };
}
