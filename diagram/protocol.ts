// The messages between the diagram page (page.ts) and a host that shows it in a VS Code webview.
// Standalone (a file opened in a browser) the page neither sends nor expects any.
import type { DrawnEvent } from './model';

/** What the page shows, as it answers a `stats` request (tests and hosts; no user action sends it). */
export interface PageStats {
  /** Echo of the request's id. */
  id: number;
  /** Arrows after the filters (= body data-arrows), arrows in the last frame (= data-drawn), all arrows. */
  arrows: number;
  drawn: number;
  total: number;
  /** The highlighted 1-based script line (0: none). */
  highlightLine: number;
  /** The messages (`msg`) of the highlighted line that are shown, in record order. */
  highlighted: string[];
  /** The selected arrow's message, if an arrow is selected. */
  selectedMsg: string | null;
  /** The details bar's text for the selection (null: nothing selected). */
  selected: string | null;
}

/** Page -> host, through `acquireVsCodeApi().postMessage`. */
export type PageToHost =
  /** The page has drawn its first screen and listens for messages. */
  | { type: 'ready' }
  /** The user clicked an arrow or mark (or pressed Enter on it): show this 1-based script line. */
  | { type: 'reveal'; line: number }
  /** The answer to a host's `stats` (or `click`) request. */
  | ({ type: 'stats' } & PageStats);

/** Host -> page, through `webview.postMessage`. */
export type HostToPage =
  /** Emphasise the messages and marks caused by this 1-based script line and scroll to the first. */
  | { type: 'highlight'; line: number }
  /** More events of the run, in record order (live following); `reset` replaces everything drawn so far. */
  | { type: 'events'; events: DrawnEvent[]; reset?: boolean }
  /** Asks for a `stats` answer carrying the same id. */
  | { type: 'stats'; id: number }
  /**
   * For tests: click the middle of message `msg`'s arrow as a user would (scrolled into view, a
   * click event where it is drawn, which selects it and posts `reveal`), then answer `stats` with `id`.
   */
  | { type: 'click'; msg: string; id: number };

export const PAGE_TO_HOST_TYPES: readonly PageToHost['type'][] = ['ready', 'reveal', 'stats'];
export const HOST_TO_PAGE_TYPES: readonly HostToPage['type'][] = ['highlight', 'events', 'stats', 'click'];

/** For a host's message handler: is this something the page sent? */
export function isPageToHost(m: unknown): m is PageToHost {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as { type?: unknown; line?: unknown; id?: unknown; highlighted?: unknown };
  if (x.type === 'ready') return true;
  if (x.type === 'stats') return typeof x.id === 'number' && Array.isArray(x.highlighted);
  return x.type === 'reveal' && typeof x.line === 'number' && Number.isInteger(x.line) && x.line >= 1;
}
