// The messages between the diagram page (page.ts) and a host that shows it in a VS Code webview.
// Standalone (a file opened in a browser) the page neither sends nor expects any.
import type { ClusterEvent } from '../record/events';

/** Page -> host, through `acquireVsCodeApi().postMessage`. */
export type PageToHost =
  /** The page has drawn its first screen and listens for messages. */
  | { type: 'ready' }
  /** The user clicked an arrow or mark (or pressed Enter on it): show this 1-based script line. */
  | { type: 'reveal'; line: number };

/** Host -> page, through `webview.postMessage`. */
export type HostToPage =
  /** Emphasise the messages and marks caused by this 1-based script line and scroll to the first. */
  | { type: 'highlight'; line: number }
  /** More events of the run, in record order (live following); `reset` replaces everything drawn so far. */
  | { type: 'events'; events: ClusterEvent[]; reset?: boolean };

export const PAGE_TO_HOST_TYPES: readonly PageToHost['type'][] = ['ready', 'reveal'];
export const HOST_TO_PAGE_TYPES: readonly HostToPage['type'][] = ['highlight', 'events'];

/** For a host's message handler: is this something the page sent? */
export function isPageToHost(m: unknown): m is PageToHost {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as { type?: unknown; line?: unknown };
  if (x.type === 'ready') return true;
  return x.type === 'reveal' && typeof x.line === 'number' && Number.isInteger(x.line) && x.line >= 1;
}
