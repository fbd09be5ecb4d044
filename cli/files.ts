import * as fs from 'fs';
import * as path from 'path';
import { errnoReason, FileError, isErrno } from '../language/scriptFile';

/** Opens (creates or truncates) an output file; a failure says "cannot write", with the reason. */
export function openForWriting(file: string): number {
  try {
    return fs.openSync(file, 'w');
  } catch (err) {
    if (isErrno(err)) throw new FileError('write', file, errnoReason(err, 'write'));
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
