// Two runs of one script on the model, side by side: the same commands under two protocols, two
// gossip modes, two seeds, or with and without the script's network faults (docs/cli.md, "kvcmd compare"). Each side is recorded and judged by the
// history checker; then, line by line, what each printed, with the stamps behind it, and where the
// two first part.
import { runCommands } from '../cluster/runner';
import { checkRecord, type Violation } from '../check/checker';
import { commandText, isFaultCommand, type Command } from '../language/commands';
import type { GossipMode, ProtocolName, Stamp } from '../protocol/messages';
import { formatStamp } from '../protocol/stamp';
import type { ClusterEvent, EventOf } from '../record/events';

export interface Side {
  protocol: ProtocolName;
  gossip: GossipMode;
  seed: number;
  /** false: the script's fault commands (delay, drop, duplicate, heal, pauseServer, resumeServer) are left out. */
  faults: boolean;
}

/** What one line printed on one side: the text of stdout and why (stamps, ERR_DEP's held vs dependency). */
export interface Printed {
  text: string[];
  why: string[];
}

export interface LineComparison {
  /** 1-based script line of a get or printStore. */
  line: number;
  command: string;
  a: Printed;
  b: Printed;
  same: boolean;
}

export interface SideResult extends Side {
  /** A name for the side: what differs from the other (`protocol vector`, `gossip off`, `seed 3`). */
  label: string;
  stdout: string;
  ok: boolean;
  error?: string;
  violations: Violation[];
}

export interface CompareReport {
  a: SideResult;
  b: SideResult;
  lines: LineComparison[];
  /** The first line where the two printed differently; undefined when they agree throughout. */
  firstDivergence?: number;
  diverging: number;
}

/** Labels the sides by what differs between them. */
export function sideLabels(a: Side, b: Side): [string, string] {
  const parts = (s: Side, o: Side): string[] => [
    ...(s.protocol !== o.protocol ? [`protocol ${s.protocol}`] : []),
    ...(s.gossip !== o.gossip ? [`gossip ${s.gossip}`] : []),
    ...(s.seed !== o.seed ? [`seed ${s.seed}`] : []),
    ...(s.faults !== o.faults ? [s.faults ? 'with faults' : 'without faults'] : []),
  ];
  const la = parts(a, b), lb = parts(b, a);
  return la.length === 0 ? ['A', 'B'] : [la.join(', '), lb.join(', ')];
}

export async function compareRuns(commands: readonly Command[], a: Side, b: Side, signal?: AbortSignal): Promise<CompareReport> {
  const [labelA, labelB] = sideLabels(a, b);
  const [ra, rb] = [await runSide(commands, a, labelA, signal), await runSide(commands, b, labelB, signal)];
  const lines: LineComparison[] = [];
  for (const cmd of commands) {
    if (cmd.name !== 'get' && cmd.name !== 'printStore') continue;
    const pa = ra.printed.get(cmd.line) ?? { text: [], why: [] };
    const pb = rb.printed.get(cmd.line) ?? { text: [], why: [] };
    lines.push({ line: cmd.line, command: commandText(cmd), a: pa, b: pb, same: pa.text.join('\n') === pb.text.join('\n') });
  }
  const diverging = lines.filter((l) => !l.same);
  return { a: ra.result, b: rb.result, lines, diverging: diverging.length, ...(diverging.length ? { firstDivergence: diverging[0].line } : {}) };
}

async function runSide(commands: readonly Command[], side: Side, label: string, signal?: AbortSignal): Promise<{ result: SideResult; printed: Map<number, Printed> }> {
  const events: ClusterEvent[] = [];
  const run = await runCommands(side.faults ? commands : commands.filter((c) => !isFaultCommand(c)),
    { seed: side.seed, gossip: side.gossip, protocol: side.protocol, backend: 'model', trace: true, signal }, (e) => events.push(e));
  const printed = new Map<number, Printed>();
  const at = (line: number): Printed => {
    let p = printed.get(line);
    if (!p) printed.set(line, (p = { text: [], why: [] }));
    return p;
  };
  for (const e of events) {
    if (e.type === 'stdout') at(e.line).text.push(e.text);
    else if (e.type === 'get') at(e.line).why.push(whyGet(e));
    else if (e.type === 'storePrinted') at(e.line).why.push(e.entries.length === 0 ? 'empty store' : e.entries.map((x) => `${x.key} ${formatStamp(x.stamp)}`).join(', '));
    else if (e.type === 'failed' && e.op === 'get') at(e.line).why.push(`failed: ${e.reason}`);
  }
  const stdout = events.filter((e): e is EventOf<'stdout'> => e.type === 'stdout').map((e) => e.text + '\n').join('');
  const result: SideResult = {
    ...side, label, stdout, ok: run.ok, ...(run.error ? { error: run.error } : {}), violations: checkRecord(events).violations,
  };
  return { result, printed };
}

function whyGet(e: EventOf<'get'>): string {
  const r = e.result;
  const from = `from server ${e.server}`;
  const dep = (s: Stamp | null) => (s ? `, dependency ${formatStamp(s)}` : '');
  switch (r.kind) {
    case 'value': return `${formatStamp(r.stamp)} ${from}${dep(e.depBefore)}`;
    case 'ERR_KEY': return `server ${e.server} holds no ${e.key}`;
    case 'ERR_DEP': return `server ${e.server} holds ${formatStamp(r.held)}, which does not cover the dependency ${formatStamp(r.dep)}`;
  }
}


/** The report as a terminal reads it: a header per side, then each diverging line with both sides' reasons. */
export function formatComparison(name: string, r: CompareReport): string {
  const out: string[] = [];
  const sideLine = (s: SideResult, tag: string): string =>
    `${tag}: protocol ${s.protocol}, gossip ${s.gossip}, seed ${s.seed}${s.faults ? '' : ', without faults'}: ${s.ok ? 'ran' : `broke: ${s.error}`}, ` +
    (s.violations.length === 0 ? 'checker: no violations' : `checker: ${s.violations.length} violation${s.violations.length === 1 ? '' : 's'}`);
  out.push(sideLine(r.a, 'A'), sideLine(r.b, 'B'));
  for (const [s, tag] of [[r.a, 'A'], [r.b, 'B']] as const) for (const v of s.violations) out.push(`  ${tag}: ${v.rule}: ${v.message} (lines ${v.lines.join(', ')})`);
  const printing = r.lines.length;
  if (r.diverging === 0) {
    out.push(`the same output on all ${printing} printing line${printing === 1 ? '' : 's'}`);
    return out.join('\n') + '\n';
  }
  out.push(`${r.diverging} of ${printing} printing line${printing === 1 ? '' : 's'} differ; first at line ${r.firstDivergence}:`);
  for (const l of r.lines) {
    if (l.same) continue;
    out.push(`${name}:${l.line}: ${l.command}`);
    out.push(`  A: ${l.a.text.join(' ') || '(nothing)'}${l.a.why.length ? `  [${l.a.why.join('; ')}]` : ''}`);
    out.push(`  B: ${l.b.text.join(' ') || '(nothing)'}${l.b.why.length ? `  [${l.b.why.join('; ')}]` : ''}`);
  }
  return out.join('\n') + '\n';
}

/**
 * One side as a document, a line per printing command (the editor shows the two in a diff view):
 * `LINE  COMMAND  →  OUTPUT  [WHY]`, so that the diff marks exactly the lines that diverge.
 */
export function sideDocument(name: string, r: CompareReport, which: 'a' | 'b'): string {
  const s = r[which];
  const head = [
    `# ${name}: ${s.label} (protocol ${s.protocol}, gossip ${s.gossip}, seed ${s.seed}${s.faults ? '' : ', without faults'}, model)`,
    `# ${s.ok ? 'ran' : `broke: ${s.error}`}; checker: ${s.violations.length === 0 ? 'no violations' : s.violations.map((v) => `${v.rule} (lines ${v.lines.join(', ')})`).join('; ')}`,
  ];
  const body = r.lines.map((l) => {
    const p = l[which];
    // The reasons only where the sides part: stamps differ between protocols even when the output agrees.
    const why = !l.same && p.why.length ? `   [${p.why.join('; ')}]` : '';
    return `line ${l.line}  ${l.command}  →  ${p.text.join(' ') || '(nothing)'}${why}`;
  });
  return [...head, ...body].join('\n') + '\n';
}
