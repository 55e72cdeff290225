// auth: bearer tokens. Every request needs one except the health probes; the token names an
// identity (the admin, or later a node) and the authorizer decides what it may do.
import { timingSafeEqual } from 'node:crypto';

export interface Identity {
  user: string;
  groups: string[];
}

export interface Authenticator {
  authenticate(token: string): Identity | undefined;
}

/** staticTokens maps a fixed set of tokens (the admin token) to identities. */
export function staticTokens(entries: { token: string; identity: Identity }[]): Authenticator {
  const list = entries.map((e) => ({ buf: Buffer.from(e.token), identity: e.identity }));
  return {
    authenticate(token) {
      const t = Buffer.from(token);
      for (const e of list) if (e.buf.length === t.length && timingSafeEqual(e.buf, t)) return e.identity;
      return undefined;
    },
  };
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz']);
