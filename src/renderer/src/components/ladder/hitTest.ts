/** Which packet arrow of a ladder picture lies at a height, from the positions capture.ladder returns. */
import type { LadderPicture } from '@shared/capture';

/**
 * The frame number of the arrow at `y` pixels from the top of the picture as rendered
 * `renderedHeight` pixels tall (scaled back to SVG user units), or null between arrows.
 */
export function arrowAt(picture: Pick<LadderPicture, 'arrows' | 'height'>, y: number, renderedHeight: number): number | null {
  if (renderedHeight <= 0) return null;
  const units = (y * picture.height) / renderedHeight;
  return picture.arrows.find((arrow) => arrow.top <= units && units <= arrow.bottom)?.no ?? null;
}
