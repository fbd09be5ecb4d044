import { COMMANDS, usage } from '../language/catalogue';

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => usage(c).length));
  const commands = COMMANDS.map((c) => `  ${usage(c).padEnd(width)}  ${c.summary}`).join('\n');
  return `kvcmd: run command scripts against an eventually consistent key-value store of real processes

Usage:
  kvcmd run [FILE|-] [--seed N] [--gossip settled|async|off] [--events OUT.jsonl]
            [--diagram OUT.html] [--shiviz OUT.log] [--model] [--interactive] [--check]
  kvcmd check FILE
  kvcmd verify RECORD.jsonl  checks a recorded run's history (exit 1 with violations)
  kvcmd lsp --stdio          the language server, for any LSP editor
  kvcmd dap                  the debugger (Debug Adapter Protocol on stdio), for any DAP editor
  kvcmd --help

run      checks the script, refuses it if it has errors (FILE:LINE:COL: error: ..., exit 2), then
         starts one Node.js process per server and client (XML-RPC on 127.0.0.1) and runs it.
         Only get and printStore write to stdout; everything else goes to stderr.
         Without FILE (or with -) the script is read from stdin; a terminal is read line by line.
check    prints the diagnostics only (exit 2 if there are errors).
verify   checks a record written by --events: read-your-writes, ERR_DEP, convergence, lost
         writes, stamps, gossip. RECORD:LINE: rule: message per violation; exit 2 if malformed.
--seed   fixes the random choices (a multi-linked client's server); the seed used is always printed.
--gossip settled (default): each command's gossip is delivered before the next command runs;
         async: gossip races the following commands; off: only stabilize propagates.
--events writes the record of the run as JSON lines (docs/events.md): nodes, links, puts and gets
         with stamps, both ends of every message with Lamport counters and the script line that
         caused it, stabilize groups, a final snapshot. '-' writes it on stdout instead.
--diagram writes the run's message diagram as one HTML file (lanes per node, time going down,
         an arrow per message with its Lamport counters; opens offline in any browser).
--shiviz writes the run as a ShiViz log (vector clocks; the file's first line is its parser).
--model  runs the in-process model of the protocol instead of real processes (same output).
--check  records the run and checks its history (docs/checker.md): violations on stderr, exit 1.

Script commands (one per line, # starts a comment):
${commands}
`;
}
