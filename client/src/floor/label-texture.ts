/** Text drawn on a canvas for sprites in the scene (no font loader needed). */
import { CanvasTexture, SRGBColorSpace } from 'three';

/** Optional look of a tag: `filled` paints it in the accent colour with dark text (for the one thing to look at). */
export interface LabelStyle {
  readonly filled?: boolean;
}

/** A texture of `text` on a rounded dark tag; aspect = width / height of the returned texture. */
export function makeLabelTexture(text: string, accent: string, style: LabelStyle = {}): { texture: CanvasTexture; aspect: number } {
  const height = 96;
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d');
  const font = `600 ${Math.round(height * 0.5)}px system-ui, -apple-system, "Segoe UI", sans-serif`;
  let width = height * 3;
  if (context !== null) {
    context.font = font;
    width = Math.ceil(context.measureText(text).width + height * 0.9);
  }
  canvas.width = width;
  canvas.height = height;
  if (context !== null) {
    const r = height * 0.22;
    context.fillStyle = style.filled === true ? accent : 'rgba(15, 20, 28, 0.88)';
    context.beginPath();
    context.roundRect(2, 2, width - 4, height - 4, r);
    context.fill();
    context.lineWidth = 4;
    context.strokeStyle = accent;
    context.stroke();
    context.font = font;
    context.fillStyle = style.filled === true ? '#111111' : '#f4f6fa';
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    context.fillText(text, width / 2, height / 2 + 2);
  }
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  texture.anisotropy = 4;
  return { texture, aspect: width / height };
}
