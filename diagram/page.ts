// The message diagram of a run as ONE self-contained HTML page: inline CSS and script, the record
// embedded as JSON, no network access (its Content-Security-Policy forbids any). Lanes are
// columns, time goes down. The same page is a standalone file (`kvcmd run --diagram`) and the
// content of a VS Code webview (pass `nonce` and `cspSource`); see protocol.ts for the messages.
import type { ClusterEvent } from '../record/events';
import { CLIENT_JS } from './client';
import { createDiagramBuilder, withDetails } from './model';

export interface DiagramPageOptions {
  title: string;
  /** The script's text, one entry per line: the bands along the time axis show it. */
  scriptLines?: string[];
  /** A webview's script nonce; without it the page allows its own inline script and style. */
  nonce?: string;
  /** A webview's `cspSource`, allowed for styles and images. */
  cspSource?: string;
}

/** Events the page has nothing to draw for: left out of the embedded data. */
const UNDRAWN = new Set<ClusterEvent['type']>(['stdout', 'runFinished']);

export function diagramHtml(events: readonly ClusterEvent[], options: DiagramPageOptions): string {
  const data = { scriptLines: options.scriptLines, events: withDetails(events.filter((e) => !UNDRAWN.has(e.type))) };
  const nonceAttr = options.nonce ? ` nonce="${escapeAttr(options.nonce)}"` : '';
  const inline = options.nonce ? `'nonce-${cspToken(options.nonce)}'` : `'unsafe-inline'`;
  const source = options.cspSource ? ` ${cspToken(options.cspSource)}` : '';
  const csp = `default-src 'none'; style-src${source} ${inline}; script-src ${inline}; img-src${source} data:; font-src${source}`;
  const title = escapeText(options.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<style${nonceAttr}>${CSS}</style>
</head>
<body>
<header id="bar">
  <div id="titlebar"><h1>${title}</h1><span id="summary"></span></div>
  <div id="filters">
    <fieldset id="f-nodes"><legend>Nodes</legend></fieldset>
    <fieldset id="f-kinds"><legend>Messages</legend></fieldset>
    <fieldset><legend>Marks</legend><label><input type="checkbox" id="f-local" checked>applies, results, printStore</label></fieldset>
  </div>
</header>
<main id="scroller">
  <canvas id="canvas" tabindex="0" role="application" aria-roledescription="message diagram"
    aria-label="Message diagram: lanes are nodes, time goes down. Arrow keys move between messages and marks, Enter reveals the script line, Escape clears."
    aria-describedby="details"></canvas>
  <div id="spacer"></div>
</main>
<footer id="details" aria-live="polite"></footer>
<div id="tip" role="tooltip" hidden></div>
<script type="application/json" id="kvcmd-diagram-data">${jsonForScript(data)}</script>
<script${nonceAttr}>
var createDiagramBuilder = ${createDiagramBuilder.toString()};
${CLIENT_JS}
</script>
</body>
</html>
`;
}

/**
 * JSON that can sit inside a script element: `<` is written `\u003c`, so no `</script` or
 * `<!--` can end or change the element, whatever the keys and values hold; U+2028 and U+2029
 * are escaped too (harmless to JSON.parse, but not to every reader).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A CSP source or nonce has no spaces, quotes or semicolons; anything else is dropped. */
function cspToken(s: string): string {
  return s.replace(/[\s;'",]/g, '');
}

// Colours: VS Code's theme variables inside a webview, else a light and a dark palette chosen
// by prefers-color-scheme. The canvas reads the resolved --kd-* values.
const CSS = `
:root {
  --kd-bg: var(--vscode-editor-background, #ffffff);
  --kd-fg: var(--vscode-editor-foreground, #1f2328);
  --kd-muted: var(--vscode-descriptionForeground, #59636e);
  --kd-grid: var(--vscode-editorIndentGuide-background1, #d8dee4);
  --kd-lane: var(--vscode-editorLineNumber-activeForeground, #6e7781);
  --kd-band: var(--vscode-editor-background, #ffffff);
  --kd-band2: var(--vscode-editorWidget-background, #f6f8fa);
  --kd-hl: var(--vscode-editor-findMatchHighlightBackground, #fff2b3);
  --kd-sel: var(--vscode-focusBorder, #0969da);
  --kd-lost: var(--vscode-errorForeground, #cf222e);
  --kd-cut: var(--vscode-charts-red, #cf222e);
  --kd-link: var(--vscode-charts-green, #1a7f37);
  --kd-stab: var(--vscode-charts-purple, #8250df);
  --kd-applied: var(--vscode-charts-green, #1a7f37);
  --kd-head: var(--vscode-sideBar-background, #f6f8fa);
  --kd-server: var(--vscode-charts-blue, #0550ae);
  --kd-client: var(--vscode-charts-orange, #953800);
  --kd-k-put: var(--vscode-charts-blue, #0969da);
  --kd-k-putReply: var(--vscode-charts-blue, #0969da);
  --kd-k-get: var(--vscode-charts-green, #1a7f37);
  --kd-k-getReply: var(--vscode-charts-green, #1a7f37);
  --kd-k-gossip: var(--vscode-charts-orange, #bc4c00);
  --kd-k-gossipAck: var(--vscode-charts-yellow, #9a6700);
  --kd-k-spread: var(--vscode-charts-yellow, #9a6700);
  --kd-k-explore: var(--vscode-charts-purple, #8250df);
  --kd-k-exploreReply: var(--vscode-charts-purple, #8250df);
  --kd-k-install: var(--vscode-charts-red, #bf3989);
  --kd-k-installAck: var(--vscode-charts-red, #bf3989);
  --kd-font: var(--vscode-font-family, system-ui, -apple-system, "Segoe UI", sans-serif);
}
@media (prefers-color-scheme: dark) {
  :root {
    --kd-bg: var(--vscode-editor-background, #0d1117);
    --kd-fg: var(--vscode-editor-foreground, #e6edf3);
    --kd-muted: var(--vscode-descriptionForeground, #9198a1);
    --kd-grid: var(--vscode-editorIndentGuide-background1, #30363d);
    --kd-lane: var(--vscode-editorLineNumber-activeForeground, #8b949e);
    --kd-band: var(--vscode-editor-background, #0d1117);
    --kd-band2: var(--vscode-editorWidget-background, #161b22);
    --kd-hl: var(--vscode-editor-findMatchHighlightBackground, #3d3514);
    --kd-sel: var(--vscode-focusBorder, #4493f8);
    --kd-lost: var(--vscode-errorForeground, #f85149);
    --kd-cut: var(--vscode-charts-red, #f85149);
    --kd-link: var(--vscode-charts-green, #3fb950);
    --kd-stab: var(--vscode-charts-purple, #ab7df8);
    --kd-applied: var(--vscode-charts-green, #3fb950);
    --kd-head: var(--vscode-sideBar-background, #161b22);
    --kd-server: var(--vscode-charts-blue, #4493f8);
    --kd-client: var(--vscode-charts-orange, #db6d28);
    --kd-k-put: var(--vscode-charts-blue, #4493f8);
    --kd-k-putReply: var(--vscode-charts-blue, #4493f8);
    --kd-k-get: var(--vscode-charts-green, #3fb950);
    --kd-k-getReply: var(--vscode-charts-green, #3fb950);
    --kd-k-gossip: var(--vscode-charts-orange, #db6d28);
    --kd-k-gossipAck: var(--vscode-charts-yellow, #d29922);
    --kd-k-spread: var(--vscode-charts-yellow, #d29922);
    --kd-k-explore: var(--vscode-charts-purple, #ab7df8);
    --kd-k-exploreReply: var(--vscode-charts-purple, #ab7df8);
    --kd-k-install: var(--vscode-charts-red, #db61a2);
    --kd-k-installAck: var(--vscode-charts-red, #db61a2);
  }
}
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; background: var(--kd-bg); color: var(--kd-fg); font: 13px/1.4 var(--kd-font); }
#bar { padding: 8px 12px 6px; border-bottom: 1px solid var(--kd-grid); background: var(--kd-head); }
#titlebar { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
h1 { font-size: 15px; margin: 0; font-weight: 600; }
#summary { color: var(--kd-muted); }
#filters { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: 4px; }
fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; align-items: center; gap: 2px 10px; }
legend { float: left; color: var(--kd-muted); margin-right: 4px; padding: 0; }
label { display: inline-flex; align-items: center; gap: 4px; cursor: pointer; white-space: nowrap; }
input[type=checkbox] { margin: 0; accent-color: var(--kd-sel); }
input:focus-visible { outline: 2px solid var(--kd-sel); outline-offset: 1px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; }
#scroller { flex: 1; min-height: 0; overflow: auto; position: relative; }
#canvas { position: sticky; top: 0; left: 0; display: block; outline: none; }
#canvas:focus-visible { box-shadow: inset 0 0 0 2px var(--kd-sel); }
#spacer { pointer-events: none; }
#details { min-height: 2.2em; padding: 6px 12px; border-top: 1px solid var(--kd-grid); background: var(--kd-head); color: var(--kd-fg); overflow-wrap: anywhere; }
#tip { position: fixed; z-index: 10; max-width: 460px; padding: 6px 9px; border-radius: 4px; white-space: pre-line; pointer-events: none;
  background: var(--vscode-editorHoverWidget-background, var(--kd-bg)); color: var(--vscode-editorHoverWidget-foreground, var(--kd-fg));
  border: 1px solid var(--vscode-editorHoverWidget-border, var(--kd-grid)); box-shadow: 0 2px 8px rgba(0, 0, 0, 0.2); font-size: 12px; }
`;
