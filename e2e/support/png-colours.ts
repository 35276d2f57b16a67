// Reads the pixels of a PNG screenshot with Node's own zlib, so the test needs no image library: how many
// colours a picture has, and how much of it is each colour we care about.
import { inflateSync } from 'node:zlib';

export interface ColourStats {
  width: number;
  height: number;
  /** Distinct colours after dropping the lowest 2 bits per channel (so anti-aliasing noise counts less). */
  distinct: number;
  /** For each named colour (#rrggbb), the share of pixels within a small distance of it. */
  shares: Record<string, number>;
}

interface DecodedImage {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** 8-bit RGB or RGBA, not interlaced: what Chromium writes for screenshots. */
export function decodePng(png: Buffer): DecodedImage {
  if (!png.subarray(0, 8).equals(signature)) throw new Error('not a PNG file');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const compressed: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      const colourType = data[9];
      const interlace = data[12];
      if (bitDepth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG (bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace})`);
      }
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      compressed.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(compressed));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let row = 0; row < height; row += 1) {
    const filter = raw[row * (stride + 1)];
    const source = row * (stride + 1) + 1;
    const target = row * stride;
    for (let i = 0; i < stride; i += 1) {
      const value = raw[source + i] ?? 0;
      const left = i >= channels ? (pixels[target + i - channels] ?? 0) : 0;
      const up = row > 0 ? (pixels[target - stride + i] ?? 0) : 0;
      const upLeft = row > 0 && i >= channels ? (pixels[target - stride + i - channels] ?? 0) : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) predicted = paeth(left, up, upLeft);
      pixels[target + i] = (value + predicted) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

export function colourStats(png: Buffer, colours: Record<string, string>): ColourStats {
  const { width, height, channels, pixels } = decodePng(png);
  const wanted = Object.entries(colours).map(([name, hex]) => ({
    name,
    rgb: [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)),
    count: 0,
  }));
  const distinct = new Set<number>();
  for (let i = 0; i < pixels.length; i += channels) {
    const r = pixels[i] ?? 0;
    const g = pixels[i + 1] ?? 0;
    const b = pixels[i + 2] ?? 0;
    distinct.add(((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2));
    for (const target of wanted) {
      const [tr = 0, tg = 0, tb = 0] = target.rgb;
      if (Math.abs(r - tr) <= 8 && Math.abs(g - tg) <= 8 && Math.abs(b - tb) <= 8) target.count += 1;
    }
  }
  const shares: Record<string, number> = {};
  for (const target of wanted) shares[target.name] = target.count / (width * height);
  return { width, height, distinct: distinct.size, shares };
}
