// containers: the container sections of describe (pods and pod templates), in kubectl's order:
// image, ports, command, state, readiness, restarts, resources, probes, environment, mounts.
import type { Container } from '../../shared/api/core.js';
import { rfc1123z } from '../print/age.js';
import type { DescribeWriter } from './writer.js';

export interface ContainerStatus {
  name: string;
  containerID?: string;
  image?: string;
  imageID?: string;
  ready?: boolean;
  restartCount?: number;
  state?: Record<string, any>;
  lastState?: Record<string, any>;
}

/** describeContainers writes `Title:` and each container. In a pod template kubectl indents the
 *  title one level and the names by one space more than it ("  Containers:" / "   nginx:"); the
 *  details sit at four spaces either way. */
export function describeContainers(w: DescribeWriter, title: string, containers: Container[], statuses: ContainerStatus[] | undefined, inTemplate = false): void {
  w.line(inTemplate ? 1 : 0, `${title}:`);
  for (const c of containers) {
    const st = statuses?.find((s) => s.name === c.name);
    w.line(1, `${inTemplate ? ' ' : ''}${c.name}:`);
    const d = 2;
    if (st) w.line(d, `Container ID:\t${st.containerID ?? ''}`);
    w.line(d, `Image:\t${c.image}`);
    if (st) w.line(d, `Image ID:\t${st.imageID ?? ''}`);
    ports(w, d, c);
    command(w, d, 'Command', c.command);
    command(w, d, 'Args', c.args);
    if (st) {
      state(w, d, 'State', st.state);
      if (st.lastState && Object.keys(st.lastState).length) state(w, d, 'Last State', st.lastState);
      w.line(d, `Ready:\t${st.ready ? 'True' : 'False'}`);
      w.line(d, `Restart Count:\t${st.restartCount ?? 0}`);
    }
    resources(w, d, 'Limits', c.resources?.limits);
    resources(w, d, 'Requests', c.resources?.requests);
    probe(w, d, 'Liveness', c.livenessProbe);
    probe(w, d, 'Readiness', c.readinessProbe);
    probe(w, d, 'Startup', c.startupProbe);
    environment(w, d, c.env);
    mounts(w, d, c.volumeMounts);
  }
}

function ports(w: DescribeWriter, level: number, c: Container): void {
  const list = c.ports ?? [];
  const fmt = (n: number | undefined, proto: string | undefined) => `${n ?? 0}/${proto ?? 'TCP'}`;
  const plural = list.length > 1 ? 's' : '';
  w.line(level, `Port${plural}:\t${list.length ? list.map((p) => fmt(p.containerPort, p.protocol)).join(', ') : '<none>'}`);
  w.line(level, `Host Port${plural}:\t${list.length ? list.map((p) => fmt(p.hostPort, p.protocol)).join(', ') : '<none>'}`);
}

function command(w: DescribeWriter, level: number, title: string, args: string[] | undefined): void {
  if (!args?.length) return;
  w.line(level, `${title}:`);
  for (const a of args) for (const line of a.split('\n')) w.line(level + 1, line);
}

function state(w: DescribeWriter, level: number, title: string, s: Record<string, any> | undefined): void {
  if (s?.running) {
    w.line(level, `${title}:\tRunning`);
    w.line(level + 1, `Started:\t${rfc1123z(s.running.startedAt)}`);
  } else if (s?.terminated) {
    const t = s.terminated;
    w.line(level, `${title}:\tTerminated`);
    if (t.reason) w.line(level + 1, `Reason:\t${t.reason}`);
    if (t.message) w.line(level + 1, `Message:\t${t.message}`);
    w.line(level + 1, `Exit Code:\t${t.exitCode ?? 0}`);
    if (t.signal) w.line(level + 1, `Signal:\t${t.signal}`);
    w.line(level + 1, `Started:\t${rfc1123z(t.startedAt)}`);
    w.line(level + 1, `Finished:\t${rfc1123z(t.finishedAt)}`);
  } else {
    w.line(level, `${title}:\tWaiting`);
    if (s?.waiting?.reason) w.line(level + 1, `Reason:\t${s.waiting.reason}`);
    if (s?.waiting?.message) w.line(level + 1, `Message:\t${s.waiting.message}`);
  }
}

function resources(w: DescribeWriter, level: number, title: string, list: Record<string, string> | undefined): void {
  const keys = Object.keys(list ?? {}).sort();
  if (!keys.length) return;
  w.line(level, `${title}:`);
  for (const k of keys) w.line(level + 1, `${k}:\t${list![k]}`);
}

// probe is kubectl's one-line probe summary: "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3".
function probe(w: DescribeWriter, level: number, title: string, p: any): void {
  if (!p) return;
  let action = 'unknown';
  if (p.httpGet) action = `http-get ${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? '/'}`;
  else if (p.tcpSocket) action = `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port}`;
  else if (p.exec) action = `exec [${(p.exec.command ?? []).join(' ')}]`;
  else if (p.grpc) action = `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''}`;
  const timing = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  w.line(level, `${title}:\t${action} ${timing}`);
}

function environment(w: DescribeWriter, level: number, env: any[] | undefined): void {
  if (!env?.length) {
    w.line(level, 'Environment:\t<none>');
    return;
  }
  w.line(level, 'Environment:');
  for (const e of env) w.line(level + 1, `${e.name}:\t${envValue(e)}`);
}

function envValue(e: any): string {
  if (e.value !== undefined) return String(e.value);
  const from = e.valueFrom ?? {};
  if (from.fieldRef) return `(${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})`;
  if (from.resourceFieldRef) return `${from.resourceFieldRef.resource} (${from.resourceFieldRef.containerName ?? ''})`;
  if (from.configMapKeyRef) return `<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name}'>\tOptional: ${Boolean(from.configMapKeyRef.optional)}`;
  if (from.secretKeyRef) return `<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>\tOptional: ${Boolean(from.secretKeyRef.optional)}`;
  return '';
}

function mounts(w: DescribeWriter, level: number, list: any[] | undefined): void {
  if (!list?.length) {
    w.line(level, 'Mounts:\t<none>');
    return;
  }
  w.line(level, 'Mounts:');
  for (const m of [...list].sort((a, b) => String(a.mountPath).localeCompare(String(b.mountPath)))) {
    const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path="${m.subPath}"`] : [])].join(',');
    w.line(level + 1, `${m.mountPath} from ${m.name} (${flags})`);
  }
}

/** describeVolumes lists a pod's volumes by name and source type. */
export function describeVolumes(w: DescribeWriter, level: number, volumes: any[] | undefined): void {
  if (!volumes?.length) {
    w.line(level, 'Volumes:\t<none>');
    return;
  }
  w.line(level, 'Volumes:');
  for (const v of volumes) {
    w.line(level + 1, `${v.name}:`);
    const [type, src] = Object.entries(v).find(([k]) => k !== 'name') ?? ['unknown', {}];
    w.line(level + 2, `Type:\t${type}`);
    for (const [k, val] of Object.entries((src ?? {}) as Record<string, unknown>)) {
      if (typeof val !== 'object') w.line(level + 2, `${k[0].toUpperCase()}${k.slice(1)}:\t${val}`);
    }
  }
}
