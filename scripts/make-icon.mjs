#!/usr/bin/env node
// Draws media/icon.png (128x128): three store nodes gossiping on a dark rounded tile, with a
// command prompt chevron. Pure Node (zlib PNG encoder, 4x supersampling); no image tools needed.
// usage: node scripts/make-icon.mjs [out.png] [size]
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const out = process.argv[2] || path.join(path.dirname(new URL(import.meta.url).pathname), '../media/icon.png');
const N = Number(process.argv[3]) || 128, SS = 4, S = N * SS;
const rgba = new Float32Array(N * N * 4);

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const distSeg = (px, py, [ax, ay], [bx, by]) => {
  const dx = bx - ax, dy = by - ay, t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
};
const inRoundRect = (x, y, r) => {
  const cx = Math.min(Math.max(x, r), 1 - r), cy = Math.min(Math.max(y, r), 1 - r);
  return Math.hypot(x - cx, y - cy) <= r;
};

// Geometry in unit coordinates.
const nodes = [[0.30, 0.32, '#2dd4bf'], [0.72, 0.28, '#f59e0b'], [0.62, 0.70, '#60a5fa']];
const edges = [[0, 1], [1, 2], [2, 0]];
const chevron = [[0.16, 0.62], [0.26, 0.72], [0.16, 0.82]];

/** Colour (or null) of one sample point; later layers paint over earlier ones. */
function sample(x, y) {
  if (!inRoundRect(x, y, 0.2)) return null;
  const g = y; // vertical gradient
  let c = [15 + 20 * g, 23 + 18 * g, 42 + 30 * g];
  for (const [a, b] of edges) if (distSeg(x, y, nodes[a], nodes[b]) < 0.022) c = [148, 163, 184];
  // gossip "packets" travelling on the edges
  for (const [[a, b], t] of [[[0, 1], 0.5], [[1, 2], 0.45], [[2, 0], 0.55]]) {
    const px = nodes[a][0] + (nodes[b][0] - nodes[a][0]) * t, py = nodes[a][1] + (nodes[b][1] - nodes[a][1]) * t;
    if (Math.hypot(x - px, y - py) < 0.035) c = [226, 232, 240];
  }
  for (const [nx, ny, col] of nodes) {
    const d = Math.hypot(x - nx, y - ny);
    if (d < 0.115) c = d > 0.09 ? [226, 232, 240] : hex(col);
    if (d < 0.04) c = [15, 23, 42];
  }
  if (distSeg(x, y, chevron[0], chevron[1]) < 0.03 || distSeg(x, y, chevron[1], chevron[2]) < 0.03) c = [226, 232, 240];
  if (x > 0.31 && x < 0.45 && Math.abs(y - 0.82) < 0.028) c = [226, 232, 240];  // cursor underscore
  return c;
}

for (let sy = 0; sy < S; sy++) for (let sx = 0; sx < S; sx++) {
  const c = sample((sx + 0.5) / S, (sy + 0.5) / S);
  if (!c) continue;
  const i = (Math.floor(sy / SS) * N + Math.floor(sx / SS)) * 4;
  rgba[i] += c[0]; rgba[i + 1] += c[1]; rgba[i + 2] += c[2]; rgba[i + 3] += 255;
}

// Encode: premultiplied sums -> straight RGBA rows with filter byte 0.
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
  const i = (y * N + x) * 4, a = rgba[i + 3] / (SS * SS), o = y * (N * 4 + 1) + 1 + x * 4;
  const k = a > 0 ? 255 / rgba[i + 3] : 0;
  raw[o] = Math.round(rgba[i] * k); raw[o + 1] = Math.round(rgba[i + 1] * k); raw[o + 2] = Math.round(rgba[i + 2] * k); raw[o + 3] = Math.round(a);
}
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]), c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4); ihdr[8] = 8; ihdr[9] = 6;
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]));
console.log(`wrote ${out} (${N}x${N})`);
