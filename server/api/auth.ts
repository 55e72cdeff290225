// auth: bearer tokens. Every request needs one except the health probes, the CA certificate and
// the join (which checks a join token); the token names an identity (the admin, or a node) and
// authorizationProblem decides what it may do.
import { constantTimeEqual } from '../../shared/join-token.js';

export interface Identity {
  user: string;
  groups: string[];
}

export interface Authenticator {
  authenticate(token: string): Identity | undefined;
}

/** staticTokens maps a fixed set of tokens (the admin token) to identities. */
export function staticTokens(entries: { token: string; identity: Identity }[]): Authenticator {
  return {
    authenticate(token) {
      return entries.find((e) => constantTimeEqual(e.token, token))?.identity;
    },
  };
}

/** firstOf asks each authenticator in turn (admin token, then node tokens). */
export function firstOf(...auths: Authenticator[]): Authenticator {
  return {
    authenticate(token) {
      for (const a of auths) {
        const id = a.authenticate(token);
        if (id) return id;
      }
      return undefined;
    },
  };
}

export const NODE_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';

/**
 * authorizationProblem says why an identity may not make a request (undefined: it may). Only
 * nodes are limited: a node's token serves the agent API (/bramble/v1/…) and reading its own
 * Node, so a stolen Pi cannot read the cluster's Secrets through it.
 */
export function authorizationProblem(identity: Identity, method: string, path: string): string | undefined {
  if (!identity.groups.includes(NODE_GROUP)) return undefined;
  if (path.startsWith('/bramble/v1/')) return undefined;
  const node = identity.user.startsWith(NODE_USER_PREFIX) ? identity.user.slice(NODE_USER_PREFIX.length) : undefined;
  if (node && method === 'GET' && path === `/api/v1/nodes/${node}`) return undefined;
  return `User "${identity.user}" cannot ${method.toLowerCase()} path "${path}": a node may only use /bramble/v1/ and read its own Node`;
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz']);

/** Reached without API credentials: the CA for joining nodes, and the join itself (which checks its own token). */
export const CACERTS_PATH = '/cacerts';
export const JOIN_PATH = '/bramble/v1/join';
