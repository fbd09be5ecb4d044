// The import graph of the project's own TypeScript, read from the files as text: which source
// file imports which (type-only imports, re-exports and dynamic imports included), and the
// cycles in it. Only relative imports are edges; packages are not part of the house.
import * as fs from 'fs';
import * as path from 'path';

/** Root folders that are not source folders, even when they hold .ts files. */
const NOT_SOURCE = new Set(['test', 'node_modules', 'out', 'dist', '.vscode-test']);

/** The repository root, from out/test/house/ or test/house/. */
export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../../..' : '../..');

/** The root's folders that hold .ts files (hidden folders, tests and build output excepted), sorted. */
export function sourceFolders(root = ROOT): string[] {
  return fs.readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !NOT_SOURCE.has(d.name))
    .map((d) => d.name)
    .filter((name) => tsFiles(path.join(root, name)).length > 0)
    .sort();
}

/** Every .ts file under `dir`, as absolute paths, sorted. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) {
      if (d.name !== 'node_modules' && !d.name.startsWith('.')) out.push(...tsFiles(full));
    } else if (d.isFile() && d.name.endsWith('.ts')) {
      out.push(full);
    }
  }
  return out.sort();
}

/**
 * The source with comments, template-literal text and regular-expression literals blanked out
 * (newlines kept), so that only real code and ordinary string literals remain. Throws when the
 * file does not end in plain code: an import could then have been missed.
 */
export function codeOnly(text: string): string {
  const out: string[] = [];
  /** One entry per open `${`: how many `{` are open inside it. */
  const templates: number[] = [];
  let lastCode = '';
  let lastWord = '';
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) out.push(text[k] === '\n' ? '\n' : ' ');
  };
  const template = (): void => {
    // i is just after a backtick or the `}` closing a `${`: blank up to the closing backtick or the next `${`.
    const start = i;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') { i += 2; continue; }
      if (c === '`') { blank(start, i); out.push('`'); i++; lastCode = '`'; return; }
      if (c === '$' && text[i + 1] === '{') { blank(start, i); out.push('${'); i += 2; templates.push(0); lastCode = '{'; return; }
      i++;
    }
    throw new Error('a template literal never closes');
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new Error('a block comment never closes');
      blank(i, end + 2);
      i = end + 2;
    } else if (c === '/' && startsRegex(lastCode, lastWord)) {
      const start = i;
      let inClass = false;
      for (i++; i < text.length && text[i] !== '\n'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
        else if (text[i] === '/' && !inClass) break;
      }
      if (text[i] !== '/') throw new Error('a regular expression never closes');
      i++;
      out.push('/');
      blank(start + 1, i - 1);
      out.push('/');
      lastCode = '/';
      lastWord = '';
    } else if (c === '\'' || c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== c && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
      if (text[i] !== c) throw new Error('a string never closes');
      i++;
      out.push(text.slice(start, i));
      lastCode = c;
      lastWord = '';
    } else if (c === '`') {
      out.push('`');
      i++;
      template();
    } else if (c === '}' && templates.length > 0 && templates[templates.length - 1] === 0) {
      templates.pop();
      out.push('}');
      i++;
      template();
    } else {
      if (c === '{' && templates.length > 0) templates[templates.length - 1]++;
      if (c === '}' && templates.length > 0) templates[templates.length - 1]--;
      out.push(c);
      i++;
      if (/[\w$]/.test(c)) {
        lastWord = /[\w$]/.test(lastCode) ? lastWord + c : c;
        lastCode = c;
      } else if (!/\s/.test(c)) {
        lastCode = c;
        lastWord = '';
      }
    }
  }
  if (templates.length > 0) throw new Error('a template literal never closes');
  return out.join('');
}

const BEFORE_REGEX_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await']);

/** Whether a `/` after this code starts a regular expression rather than a division. */
function startsRegex(lastCode: string, lastWord: string): boolean {
  if (lastCode === '') return true;
  if (/[\w$]/.test(lastCode)) return BEFORE_REGEX_WORDS.has(lastWord);
  return !/[)\]}'"`]/.test(lastCode);
}

const IMPORT_FORMS = [
  /\bfrom\s*(['"])([^'"\n]+)\1/g, // import ... from '…', import type ... from '…', export ... from '…'
  /\bimport\s*(['"])([^'"\n]+)\1/g, // import '…'
  /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g, // import('…')
  /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g, // require('…'), import x = require('…')
];

/** The module specifiers a TypeScript source imports, in every form, in order of appearance. */
export function importsOf(source: string): string[] {
  const code = codeOnly(source);
  const found: { at: number; spec: string }[] = [];
  for (const re of IMPORT_FORMS) for (const m of code.matchAll(re)) found.push({ at: m.index!, spec: m[2] });
  return found.sort((a, b) => a.at - b.at).map((f) => f.spec);
}

/** The file a relative specifier names, among `files`; undefined for packages and non-.ts files. */
export function resolveImport(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = path.resolve(path.dirname(from), spec);
  const base = target.replace(/\.(m|c)?js$/, '');
  const candidates = [target, `${base}.ts`, `${base}.tsx`, `${base}.d.ts`, path.join(target, 'index.ts')];
  return candidates.find((c) => files.has(c));
}

/** file -> the files it imports, keyed by paths relative to `root` with `/` separators. */
export function importGraph(files: readonly string[], root = ROOT): Map<string, string[]> {
  const set = new Set(files);
  const rel = (f: string): string => path.relative(root, f).split(path.sep).join('/');
  const graph = new Map<string, string[]>();
  for (const file of files) {
    let specs: string[];
    try {
      specs = importsOf(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${rel(file)}: cannot read its imports: ${(err as Error).message}`);
    }
    const targets = new Set<string>();
    for (const spec of specs) {
      const target = resolveImport(file, spec, set);
      if (target) targets.add(rel(target));
    }
    graph.set(rel(file), [...targets].sort());
  }
  return graph;
}

/**
 * One cycle per strongly connected component that has one (a self-import included), each as
 * the shortest loop through the component's first node: [a, b, c, a]. Sorted, so deterministic.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const next = (n: string): readonly string[] => graph.get(n) ?? [];
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (n: string): void => {
    index.set(n, index.size);
    low.set(n, index.get(n)!);
    stack.push(n);
    onStack.add(n);
    for (const m of next(n)) {
      if (!index.has(m)) {
        visit(m);
        low.set(n, Math.min(low.get(n)!, low.get(m)!));
      } else if (onStack.has(m)) {
        low.set(n, Math.min(low.get(n)!, index.get(m)!));
      }
    }
    if (low.get(n) === index.get(n)) {
      const component: string[] = [];
      let m: string;
      do {
        m = stack.pop()!;
        onStack.delete(m);
        component.push(m);
      } while (m !== n);
      components.push(component);
    }
  };
  for (const n of [...graph.keys()].sort()) if (!index.has(n)) visit(n);

  const cycles: string[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const start = [...component].sort()[0];
    if (component.length === 1 && !next(start).includes(start)) continue;
    // Breadth-first inside the component, from start back to start.
    const cameFrom = new Map<string, string>();
    const queue = [start];
    let end: string | undefined;
    for (let q = 0; q < queue.length && end === undefined; q++) {
      for (const m of [...next(queue[q])].sort()) {
        if (!members.has(m)) continue;
        if (m === start) { end = queue[q]; break; }
        if (!cameFrom.has(m)) { cameFrom.set(m, queue[q]); queue.push(m); }
      }
    }
    const loop = [start];
    for (let n = end!; n !== start; n = cameFrom.get(n)!) loop.push(n);
    loop.push(start);
    cycles.push([start, ...loop.slice(1, -1).reverse(), start]);
  }
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}
