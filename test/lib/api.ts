// api: a minimal HTTPS client for tests and benchmarks, configured from a server's kubeconfig
// (trusting only the cluster CA, presenting the admin token).
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { parse } from 'yaml';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

export interface Api {
  url: string;
  token: string;
  ca: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /** stream opens a long request and hands each received line to onLine. */
  stream(path: string, onLine: (line: string) => void, headers?: Record<string, string>): { close(): void; done: Promise<number> };
}

export function apiFromKubeconfig(path: string, opts: { token?: string; maxSockets?: number } = {}): Api {
  const kc = parse(readFileSync(path, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString();
  return makeApi(cluster.server, opts.token ?? kc.users[0].user.token, ca, opts.maxSockets);
}

export function makeApi(url: string, token: string, ca: string, maxSockets = 64): Api {
  const u = new URL(url);
  const agent = new Agent({ ca, keepAlive: true, maxSockets });
  const base = { host: u.hostname, port: Number(u.port), agent };
  return {
    url,
    token,
    ca,
    call(method, path, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const req = request(
          {
            ...base,
            method,
            path,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              // An explicit length: Node sends DELETE bodies neither chunked nor sized otherwise.
              ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString();
              resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        if (payload !== undefined) req.write(payload);
        req.end();
      });
    },
    stream(path, onLine, headers = {}) {
      let close = () => {};
      const done = new Promise<number>((resolve, reject) => {
        const req = request({ ...base, method: 'GET', path, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            let i = buf.indexOf('\n');
            while (i >= 0) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + 1);
              if (line.trim()) onLine(line);
              i = buf.indexOf('\n');
            }
          });
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('close', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(0) : reject(e)));
        req.end();
        close = () => req.destroy();
      });
      return { close: () => close(), done };
    },
  };
}
