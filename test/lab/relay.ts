// relay: TCP between the test process's loopback and the lab, which share no network. Both
// sides meet at a unix socket in the lab folder (the file system is shared): a helper process in
// the bridge namespace handles the lab side, a server in the test process the loopback side.
import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { LabNames } from './names.js';

export interface Relay {
  host: string; // where to connect: gatewayIp inside the lab, or 127.0.0.1 for the test
  port: number;
  close(): Promise<void>;
}

// HELPER listens on argv[1] and connects each client to argv[2] ("tcp:HOST:PORT" or
// "unix:PATH"); it prints "ready" once listening and exits when its stdin closes.
const HELPER = `
const net = require('node:net');
const addr = (s) => s.startsWith('unix:') ? { path: s.slice(5) } : { host: s.split(':')[1], port: Number(s.split(':')[2]) };
const [listen, target] = process.argv.slice(1);
const srv = net.createServer((c) => {
  const u = net.createConnection(addr(target));
  c.pipe(u).pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
});
srv.on('error', (e) => { console.error(e.message); process.exit(1); });
const l = addr(listen);
srv.listen(l.path ?? l.port, l.host, () => console.log('ready'));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

let count = 0;

function startHelper(lab: LabNames, listen: string, target: string): Promise<ChildProcess> {
  const child = spawn('nsenter', [`--net=/run/netns/${lab.bridgeNetns}`, '--', process.execPath, '-e', HELPER, listen, target], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.once('data', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`relay helper exited (${code}): ${err}`)));
  });
}

function pipeTo(connect: () => Socket) {
  return (c: Socket) => {
    const u = connect();
    c.pipe(u).pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
  };
}

function closer(server: Server, helper: ChildProcess): () => Promise<void> {
  return async () => {
    helper.stdin!.end();
    helper.kill('SIGKILL');
    await new Promise<void>((r) => server.close(() => r()));
  };
}

export async function exposeLoopback(lab: LabNames, loopbackPort: number, labPort: number): Promise<Relay> {
  const sock = join(lab.dir, `relay-${++count}.sock`);
  const server = createServer(pipeTo(() => createConnection(loopbackPort, '127.0.0.1')));
  await new Promise<void>((r) => server.listen(sock, r));
  const helper = await startHelper(lab, `tcp:${lab.gatewayIp}:${labPort}`, `unix:${sock}`);
  return { host: lab.gatewayIp, port: labPort, close: closer(server, helper) };
}

export async function forwardToLab(lab: LabNames, ip: string, port: number): Promise<Relay> {
  const sock = join(lab.dir, `relay-${++count}.sock`);
  const helper = await startHelper(lab, `unix:${sock}`, `tcp:${ip}:${port}`);
  const server = createServer(pipeTo(() => createConnection(sock)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: '127.0.0.1', port: (server.address() as { port: number }).port, close: closer(server, helper) };
}
