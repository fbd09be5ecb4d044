// Natural order for what the Cluster view lists: k0, k1, k2, ..., k10 rather than k0, k1, k10, k2.
// A display choice only: printStore prints (and `kvcmd run` writes on stdout) in plain string
// order (protocol/store.ts compareKeys), which this does not change.

/** Compares runs of digits by their value, the rest as strings; equal-looking keys (k01, k1) fall back to plain order. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i], y = pb[i];
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57, dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      const tx = x.replace(/^0+(?=\d)/, ''), ty = y.replace(/^0+(?=\d)/, '');
      if (tx.length !== ty.length) return tx.length - ty.length;
      if (tx !== ty) return tx < ty ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
