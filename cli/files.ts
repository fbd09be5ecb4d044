import * as fs from 'fs';
import * as path from 'path';

/** A file the CLI could not read or write; main prints `kvcmd: cannot VERB 'PATH': REASON` and exits 2. */
export class FileError extends Error {
  constructor(readonly verb: 'read' | 'write', readonly file: string, readonly reason: string) {
    super(`cannot ${verb} '${file}': ${reason}`);
  }
}

/** The largest script the CLI reads: far above any real script, and a stop for endless inputs. */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

const CHUNK = 1 << 20;

function reason(err: NodeJS.ErrnoException, verb: 'read' | 'write'): string {
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

function isErrno(err: unknown): err is NodeJS.ErrnoException {
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
      if (isErrno(err)) throw new FileError('read', file, reason(err, 'read'));
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
        if (isErrno(err)) throw new FileError('read', name, reason(err, 'read'));
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

/** Opens (creates or truncates) an output file; a failure says "cannot write", with the reason. */
export function openForWriting(file: string): number {
  try {
    return fs.openSync(file, 'w');
  } catch (err) {
    if (isErrno(err)) throw new FileError('write', file, reason(err, 'write'));
    throw err;
  }
}

/** Whether two paths name the same file: the same path once resolved (links followed), or the same inode. */
export function sameFile(a: string, b: string): boolean {
  const resolve = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      // Not there yet: resolve its folder, which may itself be a link.
      try {
        return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
      } catch {
        return path.resolve(p);
      }
    }
  };
  if (resolve(a) === resolve(b)) return true;
  try {
    const x = fs.statSync(a);
    const y = fs.statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
