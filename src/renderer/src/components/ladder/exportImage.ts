/**
 * Turning the ladder SVG into a PNG in the renderer: the SVG is loaded into an Image from a
 * data: URL (the CSP allows img-src data: blob:), drawn into a canvas at `scale`, and read back
 * with canvas.toBlob. No network, no dependency.
 */
import { bytesToBase64, textToBytes } from '@renderer/lib/bytes';

/** The SVG text as a data: URL an Image can load. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${bytesToBase64(textToBytes(svg))}`;
}

/** Renders `svg` (of `width` × `height` user units) to PNG bytes at `scale` pixels per unit. */
export async function svgToPng(svg: string, width: number, height: number, scale = 2): Promise<Uint8Array> {
  const image = new Image();
  const loaded = new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error('the SVG could not be loaded as an image'));
  });
  image.src = svgDataUrl(svg);
  await loaded;
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.ceil(width * scale));
  canvas.height = Math.max(1, Math.ceil(height * scale));
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this window cannot draw into a canvas');
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the canvas produced no PNG');
  return new Uint8Array(await blob.arrayBuffer());
}
