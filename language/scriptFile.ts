// A script file loaded for running: its bytes (a file or stdin, with a size limit and no endless
// devices), decoded and checked once. The command line, the debugger and `kvcmd test` start here.
import * as fs from 'fs';
import { analyze, Analysis } from './analyzer';
import { decodeScript } from './decode';
import { Diagnostic, formatDiagnostic } from './diagnostics';

/** A file that could not be read or written; the CLI prints `kvcmd: cannot VERB 'PATH': REASON` and exits 2. */
export class FileError extends Error {
  constructor(readonly verb: 'read' | 'write', readonly file: string, readonly reason: string) {
    super(`cannot ${verb} '${file}': ${reason}`);
  }
}

/** The largest script read: far above any real script, and a stop for endless inputs. */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

const CHUNK = 1 << 20;

/** Why a file could not be read or written, in words. */
export function errnoReason(err: NodeJS.ErrnoException, verb: 'read' | 'write'): string {
  switch (err.code) {
    case 'ENOENT': return verb === 'read' ? 'no such file' : 'no such directory';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'no space left on the device';
    default: return err.code ?? err.message;
  }
}

export function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

/**
 * The bytes of a script: a file, or all of stdin for undefined or '-'. A device (`/dev/zero`, a
 * terminal named as a file) is refused at once; anything that goes on past `limit` bytes (a pipe
 * from `yes`, stdin from `/dev/zero`) is stopped there with an error rather than read for ever.
 */
export function readScriptBytes(file: string | undefined, limit = MAX_SCRIPT_BYTES): Buffer {
  const stdin = file === undefined || file === '-';
  const name = stdin ? '<stdin>' : file;
  let fd: number;
  if (stdin) {
    fd = 0;
  } else {
    try {
      const st = fs.statSync(file);
      if (st.isDirectory()) throw new FileError('read', file, 'is a directory');
      if (st.isCharacterDevice() || st.isBlockDevice()) throw new FileError('read', file, 'is a device, not a file');
      if (st.isFile() && st.size > limit) throw tooLarge(file, limit);
      fd = fs.openSync(file, 'r');
    } catch (err) {
      if (isErrno(err)) throw new FileError('read', file, errnoReason(err, 'read'));
      throw err;
    }
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, CHUNK, null);
      } catch (err) {
        // A non-blocking stdin (some pipes and terminals) has nothing yet: wait a little and retry.
        if (isErrno(err) && err.code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
        if (isErrno(err) && err.code === 'EOF') break;
        if (isErrno(err)) throw new FileError('read', name, errnoReason(err, 'read'));
        throw err;
      }
      if (n === 0) break;
      total += n;
      if (total > limit) throw tooLarge(name, limit);
      chunks.push(n === CHUNK ? buf : buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (!stdin) fs.closeSync(fd);
  }
}

function tooLarge(name: string, limit: number): FileError {
  return new FileError('read', name, `larger than ${Math.round(limit / (1024 * 1024))} MB, the limit for a script`);
}

export interface CheckedScript {
  name: string;
  analysis: Analysis;
  diagnostics: Diagnostic[];
  hasErrors: boolean;
}

/** Reads a script from a file, or all of stdin for '-' (at most MAX_SCRIPT_BYTES), and checks it: the one parse of its text. */
export function readAndCheck(file: string | undefined): CheckedScript {
  return checkScript(file === undefined || file === '-' ? '<stdin>' : file, readScriptBytes(file));
}

/** A script's bytes checked as a run checks them: decoding, analysis, and an empty script is an error. */
export function checkScript(name: string, bytes: Uint8Array): CheckedScript {
  const decoded = decodeScript(bytes);
  const analysis = analyze(decoded.text);
  const diagnostics = [...decoded.diagnostics, ...analysis.diagnostics].sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
  if (analysis.commands.length === 0 && diagnostics.length === 0) diagnostics.push(emptyScript());
  return { name, analysis, diagnostics, hasErrors: diagnostics.some((d) => d.severity === 'error') };
}

/** A run of nothing is almost always a wrong file or an empty pipe, so the CLI refuses it. */
function emptyScript(): Diagnostic {
  const at = { line: 0, character: 0 };
  return { code: 'empty-script', severity: 'error', message: 'the script has no commands: nothing to run', range: { start: at, end: at }, related: [], fixes: [] };
}

export function printDiagnostics(script: CheckedScript, write: (s: string) => void): void {
  for (const d of script.diagnostics) write(formatDiagnostic(script.name, d) + '\n');
}
