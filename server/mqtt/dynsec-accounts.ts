// dynsec-accounts: with an external Mosquitto (--mqtt-url), the nodes' accounts live in its dynamic
// security plugin, and the server keeps them in step with the stored node credentials, over MQTT
// (dynsec.ts), with the admin account it was given.
//
// Per node N (what the embedded broker does in broker.ts, as Mosquitto ACLs):
//   client  username N, the MQTT password issued at join (Mosquitto stores its own salted
//           PBKDF2 hash), bound to client id N: a session under any other client id is refused,
//           so no node (nor anyone) can take over N's session or fire N's last will; the agent
//           connects with client id = node name. A second session of N replaces the first (and
//           Mosquitto sends the first one's will). Only the admin account, which is the server's,
//           is bound to no client id.
//   role    bramble-node-N, mirroring nodeMayAccess/nodeMaySubscribe (shared/mqtt/topics.ts):
//           publish and subscribe below bramble/v1/nodes/N/, subscribe below bramble/v1/cluster/,
//           nothing else (a catch-all deny in the role, whatever the broker's default; $-topics
//           such as $CONTROL are not matched by '#' and stay with the default, deny after
//           `dynsec init`). A refused subscription gets reason 128, a refused publish is dropped:
//           Mosquitto does not close the session as the embedded broker does.
//   group   bramble-nodes: every client the server manages is a member, which is how it tells its
//           own clients from the broker's other accounts (it never touches those).
//
// When:
//   join         prepare (refuse a name the broker already uses for an account of its own, or the
//                admin's) before the credentials are issued, then provision: delete and create
//                client and role, in one command set. The join answers only once the broker has
//                the account, so the node can connect at once.
//   revocation   (the credentials Secret deleted, or replaced other than by a join): the client and
//                its role are deleted, which also closes the node's session. A re-join replaces
//                them the same way (delete, then create with the new password).
//   start        reconcile: members of bramble-nodes without stored credentials are deleted, with
//                their roles; nodes with credentials but no account (e.g. joined while the server
//                used the embedded broker) are logged: they must join again. This also catches
//                up a revocation the broker missed while it was unreachable (it is logged).
//
// The server's own account: the role bramble-server (publish, subscribe and receive bramble/#) is
// added to it at the first start; `mosquitto_ctrl dynsec init` gives the admin only
// $CONTROL/dynamic-security and read access. Mosquitto drops every session of an account whose
// roles change, the server's bus included: it reconnects, and the role is checked again until the
// broker shows it.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { CLUSTER_ROOT, topics } from '../../shared/mqtt/topics.js';
import { type Acl, check, type Dynsec, DynsecTimeout } from './dynsec.js';

export const NODE_GROUP = 'bramble-nodes';
export const SERVER_ROLE = 'bramble-server';
const NODE_ROLE_PREFIX = 'bramble-node-';
export const nodeRoleName = (node: string) => `${NODE_ROLE_PREFIX}${node}`;

/** AccountCredentials: the part of NodeCredentials the accounts need. */
export interface AccountCredentials {
  /** nodes: every node with stored credentials. */
  nodes(): string[];
  /** mqttPasswordHash: SHA-256 of the node's current MQTT password, if it has credentials. */
  mqttPasswordHash(node: string): Buffer | undefined;
  onChange(cb: (node: string) => void): () => void;
}

/** AccountConflict: the broker already has an account by that name that is not a Bramble node's. */
export class AccountConflict extends Error {}

/** nodeAcls: what node N may do on the broker (nodeMayAccess / nodeMaySubscribe). */
export function nodeAcls(node: string): Acl[] {
  const own = topics.prefix(node);
  return [
    // '#' also matches its parent level; the prefixes themselves are not below them.
    { acltype: 'subscribeLiteral', topic: own, allow: false, priority: 10 },
    { acltype: 'subscribeLiteral', topic: CLUSTER_ROOT, allow: false, priority: 10 },
    { acltype: 'publishClientSend', topic: own, allow: false, priority: 10 },
    { acltype: 'publishClientSend', topic: `${own}/#`, allow: true },
    { acltype: 'subscribePattern', topic: `${own}/#`, allow: true },
    { acltype: 'subscribePattern', topic: `${CLUSTER_ROOT}/#`, allow: true },
    // Whatever the broker's default ACL access: nothing else.
    { acltype: 'publishClientSend', topic: '#', allow: false, priority: -10 },
    { acltype: 'subscribePattern', topic: '#', allow: false, priority: -10 },
  ];
}

/** serverAcls: the server publishes and subscribes anywhere below bramble/. */
export function serverAcls(): Acl[] {
  return [
    { acltype: 'publishClientSend', topic: 'bramble/#', allow: true },
    { acltype: 'publishClientReceive', topic: 'bramble/#', allow: true },
    { acltype: 'subscribePattern', topic: 'bramble/#', allow: true },
    { acltype: 'unsubscribePattern', topic: 'bramble/#', allow: true },
  ];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

interface DynsecClientInfo {
  username: string;
  clientid?: string;
  roles?: { rolename: string }[];
  groups?: { groupname: string }[];
}

export interface DynsecAccountsOptions {
  /** adminUsername: the server's own account on the broker. */
  adminUsername: string;
  logger: Logger;
  /** roleWaitMs: how long to wait for the broker to show the server's role after adding it. */
  roleWaitMs?: number;
}

export class DynsecAccounts {
  /** provisioned: the hash of the password each node's broker account was last given, this run. */
  private readonly provisioned = new Map<string, Buffer>();
  private readonly queues = new Map<string, Promise<void>>();
  private stopChange?: () => void;

  constructor(
    private readonly dynsec: Dynsec,
    private readonly creds: AccountCredentials,
    private readonly o: DynsecAccountsOptions,
  ) {}

  /** start makes sure the server's role and the node group exist, then reconciles the accounts. */
  async start(): Promise<void> {
    await this.ensureServerRole();
    await this.dynsec.one({ command: 'createGroup', groupname: NODE_GROUP, textname: 'Bramble nodes (managed by the Bramble server)' }, ['Group already exists']);
    this.stopChange = this.creds.onChange((node) => {
      this.enqueue(node, () => this.onCredentialsChanged(node)).catch((err) =>
        this.o.logger.error({ err, node }, 'could not delete the account of a node whose credentials changed from the MQTT broker'),
      );
    });
    await this.reconcile();
  }

  stop(): void {
    this.stopChange?.();
    this.stopChange = undefined;
  }

  /** idle resolves when no account change is under way (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size) await Promise.all(this.queues.values());
  }

  /** prepare refuses, before credentials are issued, a node name the broker uses for an account that is not ours. */
  async prepare(node: string): Promise<void> {
    if (node === this.o.adminUsername) throw new AccountConflict(`"${node}" is the name of the server's own account on the MQTT broker`);
    const client = await this.getClient(node);
    if (client && !isMember(client)) throw new AccountConflict(`the MQTT broker already has an account "${node}" that is not a Bramble node's`);
  }

  /** provision gives node its broker account with this password (replacing any it had); resolves once the broker has it. */
  provision(node: string, password: string): Promise<void> {
    return this.enqueue(node, async () => {
      await this.prepare(node);
      const [, , role, client] = await this.dynsec.run([
        { command: 'deleteClient', username: node },
        { command: 'deleteRole', rolename: nodeRoleName(node) },
        { command: 'createRole', rolename: nodeRoleName(node), textname: `Bramble node ${node}`, acls: nodeAcls(node) },
        { command: 'createClient', username: node, password, clientid: node, textname: `Bramble node ${node}`, roles: [{ rolename: nodeRoleName(node) }], groups: [{ groupname: NODE_GROUP }] },
      ]);
      check(role);
      check(client);
      this.provisioned.set(node, sha256(password));
      this.o.logger.info({ node }, 'created the node\'s account on the MQTT broker');
    });
  }

  private async ensureServerRole(): Promise<void> {
    const admin = this.o.adminUsername;
    await this.dynsec.one({ command: 'createRole', rolename: SERVER_ROLE, textname: 'Bramble server', acls: serverAcls() }, ['Role already exists']);
    const hasRole = async (timeoutMs?: number) => {
      const c = await this.getClient(admin, timeoutMs);
      if (!c) throw new Error(`the server's MQTT account "${admin}" is not an account of the broker's dynamic security plugin`);
      return c.roles?.some((r) => r.rolename === SERVER_ROLE) ?? false;
    };
    if (await hasRole()) return;
    this.o.logger.info({ account: admin, role: SERVER_ROLE }, 'granting the server\'s MQTT account bramble/# (the broker drops its sessions once)');
    // The broker drops this very session while it answers: the answer may never arrive.
    this.dynsec.run([{ command: 'addClientRole', username: admin, rolename: SERVER_ROLE }], 3_000).catch(() => {});
    const deadline = Date.now() + (this.o.roleWaitMs ?? 30_000);
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        // Short: an answer sent while the session was being made again is lost.
        if (await hasRole(2_000)) return;
      } catch (err) {
        if (!(err instanceof DynsecTimeout)) throw err;
      }
      if (Date.now() > deadline) throw new Error(`the MQTT broker did not give the server's account "${admin}" the role ${SERVER_ROLE}`);
    }
  }

  private async reconcile(): Promise<void> {
    const group = await this.dynsec.one({ command: 'getGroup', groupname: NODE_GROUP });
    const members: string[] = (group.data?.group?.clients ?? []).map((c: { username: string }) => c.username);
    const known = new Set(this.creds.nodes());
    for (const node of members) {
      if (known.has(node)) continue;
      await this.enqueue(node, async () => {
        if (this.creds.mqttPasswordHash(node)) return; // joined meanwhile
        await this.remove(node);
      }).catch((err) => this.o.logger.error({ err, node }, 'could not delete the MQTT broker account of a node without credentials'));
    }
    const memberSet = new Set(members);
    const roles = await this.dynsec.one({ command: 'listRoles' });
    for (const role of (roles.data?.roles ?? []) as string[]) {
      if (typeof role !== 'string' || !role.startsWith(NODE_ROLE_PREFIX)) continue;
      const node = role.slice(NODE_ROLE_PREFIX.length);
      if (!memberSet.has(node) && !known.has(node)) await this.dynsec.one({ command: 'deleteRole', rolename: role }, ['Role not found']);
    }
    const missing = [...known].filter((n) => !memberSet.has(n));
    if (missing.length) {
      this.o.logger.warn(
        { nodes: missing.slice(0, 20), count: missing.length },
        'nodes with credentials but no account on the MQTT broker (joined before the server used it?): they must join again',
      );
    }
  }

  private async onCredentialsChanged(node: string): Promise<void> {
    const stored = this.creds.mqttPasswordHash(node);
    const given = this.provisioned.get(node);
    if (stored && given?.equals(stored)) return;
    // Revoked, or replaced with a password the broker does not have (a join provisions it next).
    this.provisioned.delete(node);
    await this.remove(node);
  }

  /** remove deletes a node's client and role, if the client is ours. */
  private async remove(node: string): Promise<void> {
    const client = await this.getClient(node);
    if (client && !isMember(client)) return;
    const [c] = await this.dynsec.run([
      { command: 'deleteClient', username: node },
      { command: 'deleteRole', rolename: nodeRoleName(node) },
    ]);
    if (client && !c.error) this.o.logger.info({ node }, 'deleted the node\'s account on the MQTT broker');
  }

  private async getClient(username: string, timeoutMs?: number): Promise<DynsecClientInfo | undefined> {
    const r = await this.dynsec.one({ command: 'getClient', username }, ['Client not found'], timeoutMs);
    return r.error ? undefined : (r.data?.client as DynsecClientInfo | undefined);
  }

  // enqueue runs account changes of one node one after the other; a failure is logged (revocations)
  // or returned to the caller (provision), and never stops the queue.
  private enqueue(node: string, work: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(node) ?? Promise.resolve();
    const run = prev.then(work);
    const settled = run.then(
      () => {},
      () => {},
    );
    this.queues.set(node, settled);
    void settled.then(() => {
      if (this.queues.get(node) === settled) this.queues.delete(node);
    });
    return run;
  }
}

function isMember(c: DynsecClientInfo): boolean {
  return c.groups?.some((g) => g.groupname === NODE_GROUP) ?? false;
}
