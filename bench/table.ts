import { BenchRow } from './row';

export function printTable(rows: BenchRow[]): void {
  const fmt = (r: BenchRow): string[] => [
    r.section,
    r.name,
    `${r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(1)} ${r.unit}`,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'ok' : 'MISS',
    r.note ?? '',
  ];
  const header = ['section', 'figure', 'value', 'target', '', 'note'];
  const cells = [header, ...rows.map(fmt)];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write('\n' + line(header) + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const c of cells.slice(1)) process.stdout.write(line(c) + '\n');
}
