// relay: TCP between the test process's loopback and the lab, which share no network. Both
// sides meet at a unix socket in the lab folder (the file system is shared): a helper process in
// the bridge namespace handles the lab side, a server in the test process the loopback side.
import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Transform } from 'node:stream';
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

// pipeTo joins each accepted connection to a new one from connect(), and keeps both in `open`:
// when one side closes first, pipe() unpipes and pauses the other, which then never reads its
// peer's FIN — so close() must destroy what is left, or server.close() waits forever.
function pipeTo(connect: () => Socket, open: Set<Socket>, jitterMs = 0) {
  return (c: Socket) => {
    const u = connect();
    for (const s of [c, u]) {
      open.add(s);
      s.on('close', () => open.delete(s));
    }
    if (jitterMs > 0) c.pipe(jitter(jitterMs)).pipe(u).pipe(jitter(jitterMs)).pipe(c);
    else c.pipe(u).pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
  };
}

// jitter delays each chunk by a random 0–ms milliseconds, in order (a later chunk never overtakes
// an earlier one): delivery jitter for the stream, as the kernel's netem would add per packet —
// the machine these tests were written on has no sch_netem.
function jitter(ms: number): Transform {
  let last = 0;
  let seq = 0;
  const queue: { id: number; chunk: Buffer }[] = [];
  let flushed: (() => void) | undefined;
  return new Transform({
    transform(chunk, _enc, done) {
      const at = Math.max(last, Date.now() + Math.random() * ms);
      last = at;
      const id = ++seq;
      queue.push({ id, chunk });
      // A timer releases its chunk and every earlier one still queued: order holds even if two
      // timers fire out of order.
      setTimeout(() => {
        while (queue.length && queue[0].id <= id) {
          const next = queue.shift()!;
          if (!this.destroyed) this.push(next.chunk);
        }
        if (queue.length === 0 && flushed) {
          const f = flushed;
          flushed = undefined;
          f();
        }
      }, at - Date.now());
      done();
    },
    // the end comes after every delayed chunk is out
    flush(done) {
      if (queue.length === 0) done();
      else flushed = done;
    },
  });
}

function closer(server: Server, helper: ChildProcess, open: Set<Socket>): () => Promise<void> {
  return async () => {
    helper.stdin!.end();
    helper.kill('SIGKILL');
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of open) s.destroy();
    await closed;
  };
}

/** exposeLoopback: jitterMs delays traffic both ways by a random 0–jitterMs each chunk. */
export async function exposeLoopback(lab: LabNames, loopbackPort: number, labPort: number, jitterMs = 0): Promise<Relay> {
  const sock = join(lab.dir, `relay-${++count}.sock`);
  const open = new Set<Socket>();
  const server = createServer(pipeTo(() => createConnection(loopbackPort, '127.0.0.1'), open, jitterMs));
  await new Promise<void>((r) => server.listen(sock, r));
  const helper = await startHelper(lab, `tcp:${lab.gatewayIp}:${labPort}`, `unix:${sock}`);
  return { host: lab.gatewayIp, port: labPort, close: closer(server, helper, open) };
}

export async function forwardToLab(lab: LabNames, ip: string, port: number): Promise<Relay> {
  const sock = join(lab.dir, `relay-${++count}.sock`);
  const helper = await startHelper(lab, `unix:${sock}`, `tcp:${ip}:${port}`);
  const open = new Set<Socket>();
  const server = createServer(pipeTo(() => createConnection(sock), open));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: '127.0.0.1', port: (server.address() as { port: number }).port, close: closer(server, helper, open) };
}
