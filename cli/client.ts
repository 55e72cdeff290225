// client: the CLI's only way to the server — HTTPS requests to the Kubernetes-style API, trusting
// the kubeconfig's CA (verification is never turned off) and presenting its bearer token.
// Failures come back as one line, worded as kubectl words them.
import * as http from 'node:http';
import * as https from 'node:https';
import { createInterface } from 'node:readline';
import type { WatchEvent } from '../shared/api/meta.js';
import { apiFailure } from './api-errors.js';
import { CliError } from './errors.js';
import type { Connection } from './kubeconfig.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  /** body: an object is sent as JSON, a string as it is. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  query?: Query;
  signal?: AbortSignal;
}

export const JSON_TYPE = 'application/json';
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

// REQUEST_TIMEOUT_MS: like kubectl's ?timeout=32s, a plain request that hangs this long is an error.
const REQUEST_TIMEOUT_MS = 32_000;

export class ApiClient {
  private readonly url: URL;

  constructor(readonly conn: Connection) {
    try {
      this.url = new URL(conn.server);
    } catch {
      throw new CliError(`kubeconfig ${conn.path}: invalid server URL "${conn.server}"`);
    }
  }

  get server(): string {
    return this.conn.server;
  }

  async request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.open(method, path, opts, REQUEST_TIMEOUT_MS);
    const text = await readAll(res);
    if ((res.statusCode ?? 0) >= 300) throw apiFailure(method, path, res.statusCode ?? 0, text);
    if (!text.trim()) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`the Bramble API at ${this.server} sent a reply that is not JSON (${method} ${path})`);
    }
  }

  get<T = any>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, opts);
  }

  create<T = any>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body });
  }

  patch<T = any>(path: string, body: unknown, contentType: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...opts, body, contentType });
  }

  delete<T = any>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, { ...opts, body });
  }

  /** watch streams the events of `path?watch=true` until the server ends the stream or the caller
   *  stops iterating (or aborts opts.signal), which closes the connection. */
  async *watch<T = any>(path: string, opts: RequestOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const res = await this.open('GET', path, { ...opts, query: { ...opts.query, watch: 'true' } }, 0);
    if ((res.statusCode ?? 0) >= 300) throw apiFailure('GET', path, res.statusCode ?? 0, await readAll(res));
    const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        yield JSON.parse(line) as WatchEvent<T>;
      }
    } catch (e) {
      if (opts.signal?.aborted) return;
      throw e;
    } finally {
      lines.close();
      res.destroy();
    }
  }

  private open(method: string, path: string, opts: RequestOptions, timeoutMs: number): Promise<http.IncomingMessage> {
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const secure = this.url.protocol === 'https:';
    const headers: Record<string, string> = { accept: opts.accept ?? JSON_TYPE, 'user-agent': 'bramble-cli' };
    if (payload !== undefined) {
      headers['content-type'] = opts.contentType ?? JSON_TYPE;
      // Node frames DELETE bodies only with an explicit length (it does not chunk them).
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    // Like kubectl, credentials only travel over TLS.
    if (secure && this.conn.token) headers.authorization = `Bearer ${this.conn.token}`;
    const target = new URL(this.url.pathname.replace(/\/$/, '') + path + queryString(opts.query), this.url);
    return new Promise((resolve, reject) => {
      const options: https.RequestOptions = {
        method,
        headers,
        signal: opts.signal,
        // A fresh connection per request keeps the CLI from lingering on idle keep-alive sockets.
        agent: false,
        ...(secure ? { ca: this.conn.caPem, cert: this.conn.certPem, key: this.conn.keyPem } : {}),
      };
      const req = (secure ? https : http).request(target, options, resolve);
      if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no reply within ${timeoutMs / 1000}s`), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => reject(opts.signal?.aborted ? e : this.unreachable(e as NodeJS.ErrnoException)));
      req.end(payload);
    });
  }

  // unreachable words a transport failure as one line that says what to check.
  private unreachable(e: NodeJS.ErrnoException): CliError {
    const at = `cannot reach the Bramble API at ${this.server}`;
    switch (e.code) {
      case 'ECONNREFUSED':
        return new CliError(`${at}: connection refused (is 'bramble server' running?)`);
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new CliError(`${at}: unknown host ${this.url.hostname}`);
      case 'ETIMEDOUT':
      case 'ECONNRESET':
      case 'EHOSTUNREACH':
        return new CliError(`${at}: ${e.message}`);
    }
    if (e.code?.startsWith('ERR_TLS') || /CERT|SIGNATURE|SELF_SIGNED/.test(e.code ?? '')) {
      return new CliError(`${at}: TLS certificate check failed: ${e.message} (does ${this.conn.path} belong to this server?)`);
    }
    return new CliError(`${at}: ${e.message}`);
  }
}

function queryString(q: Query | undefined): string {
  if (!q) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
