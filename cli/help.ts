import { COMMANDS, usage } from '../language/catalogue';

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => usage(c).length));
  const commands = COMMANDS.map((c) => `  ${usage(c).padEnd(width)}  ${c.summary}`).join('\n');
  return `kvcmd: run command scripts against an eventually consistent key-value store of real processes

Usage:
  kvcmd run [FILE|-] [--seed N] [--gossip settled|async|off] [--protocol P] [--events OUT.jsonl]
            [--diagram OUT.html] [--shiviz OUT.log] [--model [--schedule W]] [--interactive] [--check]
  kvcmd check [FILE|-]
  kvcmd verify RECORD.jsonl  checks a recorded run's history (exit 1 with violations)
  kvcmd run FILE --server-cmd CMD --client-cmd CMD   your own servers and clients (docs/nodes.md)
  kvcmd test [DIR|FILE...] [--gossip M] [--protocol P] [--model] [--seed N] [--junit OUT.xml] [--update]
             [--server-cmd CMD] [--client-cmd CMD] [--exact]
  kvcmd conform [--server-cmd CMD] [--client-cmd CMD] [--only NAME]
  kvcmd node [PORT]          kvcmd's own node as a program speaking docs/nodes.md
  kvcmd explore FILE [--max-schedules N] [--seed N] [--gossip M] [--protocol P] [--json] [--replay W]
  kvcmd compare FILE [--protocol A --protocol B] [--gossip A [--gossip B]] [--seed A [--seed B]]
                    [--faults on|off [...]] [--json]
  kvcmd lsp --stdio          the language server, for any LSP editor
  kvcmd dap                  the debugger (Debug Adapter Protocol on stdio), for any DAP editor
  kvcmd --help

run      checks the script, refuses it if it has errors (FILE:LINE:COL: error: ..., exit 2), then
         starts one Node.js process per server and client (XML-RPC on 127.0.0.1) and runs it.
         Only get and printStore write to stdout; everything else goes to stderr.
         Without FILE (or with -) the script is read from stdin; a terminal is read line by line.
check    prints the diagnostics only (exit 2 if there are errors). Without FILE (or with -) it
         reads stdin to its end; at a terminal give FILE or -.
verify   checks a record written by --events: read-your-writes, ERR_DEP, convergence, lost
         writes, stamps, gossip. RECORD:LINE: rule: message per violation; exit 2 if malformed.
test     runs every script with a sibling .expected under DIR (default .) or the FILEs given, seed 1
         unless --seed, traced and checked: a test passes when stdout equals the .expected file
         byte for byte and the checker finds no violation (in async mode the checker decides).
         FILE:LINE at the line that printed the first differing line; exit 0 all passed, 1 not.
explore  runs FILE on the model under every schedule (default --gossip async): every order of
         the messages in flight, gossip held across later commands or delivered before them;
         prints each distinct stdout with its count of schedules and a witness schedule, and
         checker violations with their shortest witness, each with the kvcmd run command line
         that replays it; exit 1 if any, 0 otherwise. Orders of deliveries to different nodes
         that commute are run once (partial-order reduction).
compare  runs FILE twice on the model, each side checked, and prints the lines where the two
         outputs part with both sides' stamps; --protocol, --gossip, --seed, --faults once for
         both sides or twice (A, then B); --faults off leaves out the script's fault commands;
         exit 0 the same and clean, 1 they part (or a side has violations).
conform  runs the conformance kit against the nodes given (default: kvcmd's own node as a
         program): probes of single nodes, then the kit's scripts, each judged by the checker and
         its expected output; PASS/FAIL per check, under a failure its rule and FILE:LINE.
node     serves one node over XML-RPC as docs/nodes.md says (what a run with foreign nodes
         starts for the nodes it has no command for); the secret in KVCMD_SECRET.
--server-cmd, --client-cmd (run, test, conform) start every server (client) with CMD instead of
         kvcmd's own node: split into words without a shell, {id} {role} {port} filled in; IDS=CMD
         (e.g. 1,2=python3 s.py {port}) for some ids only; repeatable. A kvcmd.json beside the
         script (serverCommand, clientCommand, startTimeout, callTimeout, exact) does the same.
--exact  (test) holds foreign nodes to the .expected files byte for byte (else the checker decides).
--only   (conform) runs only the probes and scripts whose name contains NAME.
--max-schedules (explore) stops after N schedules (default 10000; the report says if cut short).
--json   (explore) prints the report as JSON.
--replay (explore) runs the one schedule W (a witness, e.g. 0.2.h.1) and prints its stdout.
--junit  (test) writes a JUnit XML report to OUT.xml.
--update (test) writes each run's stdout into its .expected file (scripts without errors).
--seed   fixes the random choices (a multi-linked client's server); the seed used is always printed.
--gossip settled (default): each command's gossip is delivered before the next command runs;
         async: gossip races the following commands; off: only stabilize propagates.
--protocol lamport (default), lamport-low or vector: how writes are ordered (docs/protocol.md);
         overrides the script's own '# kvcmd: protocol=NAME' header line. (test) compares with
         NAME.PROTOCOL.expected where that file exists, else NAME.expected.
--events writes the record of the run as JSON lines (docs/events.md): nodes, links, puts and gets
         with stamps, both ends of every message with Lamport counters and the script line that
         caused it, stabilize groups, a final snapshot. '-' writes it on stdout instead.
--diagram writes the run's message diagram as one HTML file (lanes per node, time going down,
         an arrow per message with its Lamport counters; opens offline in any browser).
--shiviz writes the run as a ShiViz log (vector clocks; the file's first line is its parser).
         None of the three may name the script itself.
--model  runs the in-process model of the protocol instead of real processes (same output).
--schedule (run, with --model) replays a witness W of explore exactly (e.g. 0.2.h.1, or - for
         the plain model order): at each decision point the model delivers the message W names
         or holds. Use the --seed and --gossip explore printed. A W that is malformed or does not
         fit the script is refused before anything runs (FILE:LINE: error: ..., exit 2).
--check  records the run and checks its history (docs/checker.md): violations on stderr, exit 1.
--interactive
         reads stdin line by line even from a pipe (a terminal always is; FILE is then ignored):
         each line is checked against the lines before it and runs at once, a line with an error
         is reported and skipped. At a terminal a prompt 'kvcmd> ' is shown; a command that
         prints nothing is acknowledged on stderr ('ok: server 3 joined'). End of input
         (Ctrl-D) or a line 'done' ends the session.

Exit status:
  0    clean: help; check without errors; a run that reached its end with every put/get done
  1    the run broke: a node died, another run error, an internal error; run --check violations
  2    refused: the script has errors, a command-line mistake, an unreadable script
  3    the run reached its end, but some put or get failed (no reachable server)
  130  cancelled: SIGINT or SIGTERM, or stdout closed
  (verify: 0 clean, 1 violations, 2 malformed record; conform: 0 all passed, 1 a check failed)

Script commands (one per line; # starts a comment at the start of a line or after the last
argument; a line 'done' ends the script):
${commands}
`;
}
