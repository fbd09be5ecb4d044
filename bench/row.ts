/** One figure of `npm run bench`. */
export interface BenchRow {
  section: string;
  name: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
  note?: string;
}
