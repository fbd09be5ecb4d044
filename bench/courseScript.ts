// The course benchmark's shape as a script of any length: what the model and the live prediction
// are measured on.

/** The course's shape: 5 servers, 5 clients (one per server), alternating puts and gets, then stabilize. */
export function courseScript(lines: number): string {
  const out: string[] = ['# course shape: 5 servers, 5 clients, alternating puts and gets'];
  for (let s = 0; s < 5; s++) out.push(`joinServer ${s}`);
  for (let c = 0; c < 5; c++) out.push(`joinClient ${5 + c} ${c}`);
  for (let i = 0; out.length < lines - 1; i++) {
    const client = 5 + (i % 5);
    const key = `k${(i >> 1) % 50}`;
    out.push(i % 2 === 0 ? `put ${client} ${key} v${i}` : `get ${client} ${key}`);
  }
  out.push('stabilize');
  return out.join('\n') + '\n';
}
