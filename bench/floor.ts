import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import * as xmlrpc from 'xmlrpc';

// The floor every figure is compared with: plain sequential HTTP POSTs on loopback, measured in
// the same run on the same machine. One hop: bench -> process B. Two hops: bench -> A -> B, which
// is the shape of a put (master -> client -> server).
const SERVER_SOURCE = `
const http = require('http');
const next = process.argv[2] ? Number(process.argv[2]) : 0;
const agent = new http.Agent({ keepAlive: true });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (!next) { res.end('ok'); return; }
    const fwd = http.request({ host: '127.0.0.1', port: next, method: 'POST', path: '/', agent }, (r) => {
      r.resume();
      r.on('end', () => res.end('ok'));
    });
    fwd.end(Buffer.concat(chunks));
  });
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

function start(next?: number): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-e', SERVER_SOURCE, String(next ?? '')], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    proc.once('message', (port) => resolve({ proc, port: port as number }));
    proc.once('error', reject);
  });
}

async function sequential(port: number, n: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  const body = '<?xml version="1.0"?><methodCall><methodName>deliver</methodName><params/></methodCall>';
  const once = (): Promise<void> => new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
  for (let i = 0; i < 200; i++) await once(); // warm-up
  const t = performance.now();
  for (let i = 0; i < n; i++) await once();
  const secs = (performance.now() - t) / 1000;
  agent.destroy();
  return n / secs;
}

const XMLRPC_SOURCE = `
const xmlrpc = require(process.argv[1]);
const server = xmlrpc.createServer({ host: '127.0.0.1', port: 0 });
server.on('deliver', (err, params, respond) => respond(null, params[0]));
server.httpServer.on('listening', () => process.send(server.httpServer.address().port));
process.on('disconnect', () => process.exit(0));
`;

/** The same round trip through the xmlrpc package (its XML writer and sax-based reader on both ends). */
async function xmlrpcRoundTrips(n: number): Promise<number> {
  const proc = spawn(process.execPath, ['-e', XMLRPC_SOURCE, require.resolve('xmlrpc')], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve) => proc.once('message', (p) => resolve(p as number)));
    const agent = new http.Agent({ keepAlive: true });
    const client = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/', agent } as Parameters<typeof xmlrpc.createClient>[0]);
    const env = { from: 1, to: 2, id: 7, replyTo: 0, counter: 12, body: { type: 'put', key: 'k', value: 'v' } };
    const once = (): Promise<void> => new Promise((resolve, reject) => client.methodCall('deliver', [env], (err) => (err ? reject(err) : resolve())));
    for (let i = 0; i < 200; i++) await once();
    const t = performance.now();
    for (let i = 0; i < n; i++) await once();
    agent.destroy();
    return n / ((performance.now() - t) / 1000);
  } finally {
    proc.kill('SIGKILL');
  }
}

export interface Floor {
  oneHop: number;
  twoHop: number;
  xmlrpcHop: number;
}

export async function measureFloor(n = 3000): Promise<Floor> {
  const b = await start();
  const a = await start(b.port);
  try {
    return { oneHop: await sequential(b.port, n), twoHop: await sequential(a.port, n), xmlrpcHop: await xmlrpcRoundTrips(n) };
  } finally {
    a.proc.kill('SIGKILL');
    b.proc.kill('SIGKILL');
  }
}
