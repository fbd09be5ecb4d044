import type { Command } from './commands';

/** The cluster as far as "does this command do anything?" needs to know. */
export interface LinkView {
  isLiveServer(id: number): boolean;
  isClient(id: number): boolean;
  linked(a: number, b: number): boolean;
  /**
   * Whether the id has ever joined as a server (alive or dead). Optional: without it a kill of an id
   * that never joined counts as `kill-dead`, which is skipped all the same (the master's view).
   */
  hasJoinedServer?(id: number): boolean;
  /** Whether a live server is paused (pauseServer); without it no server ever is. */
  isPaused?(id: number): boolean;
}

/** Why a command (or, for joinClient, its link) does nothing; the codes are the analyzer's warnings. */
export type NoOp = 'kill-dead' | 'kill-unknown' | 'not-linked' | 'already-linked' | 'dead-server' | 'print-dead'
  | 'paused-server' | 'already-paused' | 'not-paused';

/**
 * The one home of the rules that make a command a no-op: the analyzer warns with them and the
 * master skips what they name, so a warning in the editor is exactly what happens in a run.
 */
export function noOpOf(cmd: Command, view: LinkView): NoOp | undefined {
  const dead = (id: number): boolean => !view.isClient(id) && !view.isLiveServer(id);
  switch (cmd.name) {
    case 'killServer':
      // Killing what is not a live server (dead, or never joined) does nothing.
      if (view.isLiveServer(cmd.server)) return undefined;
      return view.hasJoinedServer?.(cmd.server) === false ? 'kill-unknown' : 'kill-dead';
    case 'joinClient':
      return view.isLiveServer(cmd.server) ? undefined : 'dead-server';
    case 'createConnection':
      if (dead(cmd.a) || dead(cmd.b)) return 'dead-server';
      return view.linked(cmd.a, cmd.b) ? 'already-linked' : undefined;
    case 'breakConnection':
      return view.linked(cmd.a, cmd.b) ? undefined : 'not-linked';
    case 'printStore':
      if (!view.isLiveServer(cmd.server)) return 'print-dead';
      // A stopped process answers nothing: waiting for its store would stop the script for ever.
      return view.isPaused?.(cmd.server) ? 'paused-server' : undefined;
    case 'pauseServer':
      if (!view.isLiveServer(cmd.server)) return 'dead-server';
      return view.isPaused?.(cmd.server) ? 'already-paused' : undefined;
    case 'resumeServer':
      return view.isPaused?.(cmd.server) ? undefined : 'not-paused';
    default:
      return undefined;
  }
}
