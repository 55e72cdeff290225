// run: `npm run bench` — every scenario, one table, JSON next to it. `--quick` runs small sizes
// (the CI smoke run: it fails only on errors, never on timings); `--only a,b` picks scenarios;
// `--nodes=N --pods=N` size the scale scenario.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { benchAgent } from './agent-bench.js';
import { benchDocker, dockerRows } from './docker-bench.js';
import { apiRows, benchApi } from './api-bench.js';
import { benchFailure } from './failure-bench.js';
import { benchNetwork } from './network-bench.js';
import { benchHeartbeats, benchPodRate, benchScale, benchSdWear, scaleRows } from './scale-bench.js';
import { benchScheduler } from './scheduler-bench.js';

interface Row {
  scenario: string;
  figure: string;
  target: string;
  anchor: string;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const jsonOut = args.find((a) => a.startsWith('--json='))?.slice(7) ?? (quick ? 'bench-results-quick.json' : 'bench-results.json');
const wanted = (name: string) => !only || only.includes(name);
const numArg = (name: string) => {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return v === undefined ? undefined : Number(v);
};

const rows: Row[] = [];
let exitExplicitly = false; // a scenario left handles it could not close (see network-bench stopCluster)
const results: Record<string, unknown> = {};
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
  if (wanted('scheduler')) {
    for (const nodes of quick ? [100, 1000] : [100, 1000, 5000]) {
      const r = await benchScheduler({ nodes, pods: quick ? 2000 : 10000 });
      results[`scheduler-${nodes}`] = r;
      rows.push({
        scenario: `scheduler throughput, ${fmt(nodes)} nodes`,
        figure: `${fmt(r.podsPerSecond)} pods/s`,
        target: nodes === 1000 ? '≥ 2,000 pods/s' : '',
        anchor: 'kube-scheduler SLO: 100 pods/s (5k nodes)',
      });
    }
  }
  if (wanted('api')) {
    const r = await benchApi(quick ? { clients: 100, ops: 300, idleSeconds: 2, watchers: 50, watchEvents: 3 } : { clients: 100, ops: 3000, idleSeconds: 10, watchers: 500, watchEvents: 20 });
    results.api = r;
    rows.push(...apiRows(r, fmt));
  }
  if (wanted('agent')) {
    const r = await benchAgent({ pods: quick ? 5 : 30, idleSeconds: quick ? 5 : 60 });
    results.agent = r;
    rows.push(
      { scenario: `apply → Running, ${r.pods} pods, 1 real node`, figure: `p50 ${fmt(r.p50s, 2)} s, p99 ${fmt(r.p99s, 2)} s, all ${fmt(r.allRunningSeconds, 2)} s`, target: 'p99 ≤ 2 s per pod', anchor: '' },
      {
        scenario: `  … the same engine alone: ${r.pods * 2} bare \`docker run -d\` at once (a pod is 2 containers)`,
        figure: `${fmt(r.dockerAloneSeconds, 2)} s (Bramble all Running ÷ this = ${fmt(r.allRunningSeconds / r.dockerAloneSeconds, 2)})`,
        target: '',
        anchor: '',
      },
      { scenario: `agent RSS with ${r.pods} pods`, figure: `${fmt(r.agentRssMB, 1)} MB`, target: '≤ 60 MB', anchor: 'k3s agent ≈ 270 MB' },
      { scenario: 'database commits, 1 idle node', figure: `${fmt(r.idleCommitsPerMinute, 1)} /min (over ${r.idleWindowSeconds} s)`, target: '≤ 2 /min', anchor: '' },
    );
  }
  if (wanted('docker')) {
    const r = await benchDocker({ pods: quick ? 5 : 50 });
    results.docker = r;
    exitExplicitly ||= r.teardownTimedOut;
    rows.push(...dockerRows(r, fmt));
  }
  if (wanted('network')) {
    // Sync size is the same in quick mode: it takes well under a minute.
    const r = await benchNetwork({ services: quick ? 2 : 10, syncServices: 200, syncEndpoints: 5, syncRepeats: quick ? 1 : 5 });
    results.network = r;
    exitExplicitly ||= r.serviceCreate.teardownTimedOut;
    const s = r.serviceCreate;
    const y = r.ruleSync;
    rows.push(
      {
        scenario: `service create → ClusterIP answers on all 3 nodes (${s.services} services)`,
        figure: `p50 ${fmt(s.p50AllNodesMs)} ms, max ${fmt(s.maxAllNodesMs)} ms`,
        target: '',
        anchor: 'kube-proxy iptables mode syncs within ~1 s of an EndpointSlice change (minSyncPeriod 1s)',
      },
      { scenario: '  … first node answering / probe floor', figure: `p50 ${fmt(s.p50FirstNodeMs)} ms / ${fmt(s.probeMs)} ms`, target: '', anchor: '' },
      { scenario: '  … service delete → ClusterIP stops answering on all nodes', figure: `p50 ${fmt(s.p50GoneMs)} ms`, target: '', anchor: '' },
      {
        scenario: `computeRules, ${y.services} services × ${y.endpointsPerService} endpoints`,
        figure: `${fmt(y.computeMs, 2)} ms (${fmt(y.chains)} chains, ${fmt(y.rules)} rules)`,
        target: '',
        anchor: '',
      },
      {
        scenario: `syncRules first full sync, ${y.services} × ${y.endpointsPerService}`,
        figure: `${fmt(y.firstSyncMs, 1)} ms (${fmt(y.restoreBytes / 1024)} KiB restore input)`,
        target: '',
        anchor: 'kube-proxy: full iptables-restore of ~1,000 endpoints is typically ~100 ms+',
      },
      { scenario: '  … no-op re-sync', figure: `${fmt(y.noopSyncMs, 1)} ms`, target: '', anchor: '' },
      { scenario: '  … one endpoint changed', figure: `${fmt(y.oneEndpointSyncMs, 1)} ms (${y.oneEndpointChainsWritten} chains written, ${y.oneEndpointChainsDeleted} deleted)`, target: '', anchor: '' },
      { scenario: '  … re-sync without state (agent restart)', figure: `${fmt(y.noStateResyncMs, 1)} ms`, target: '', anchor: '' },
    );
  }
  if (wanted('failure')) {
    const r = await benchFailure({ trials: quick ? 1 : 10, cableTrials: quick ? 1 : 3, lossSeconds: quick ? 5 : 120, swarm: !quick });
    results.failure = r;
    exitExplicitly ||= r.teardownTimedOut;
    const b = r.bramble;
    const sw = r.swarm.runnable ? r.swarm : undefined;
    const p50max = (f: { p50: number; max: number }) => `p50 ${fmt(f.p50, 2)} s, max ${fmt(f.max, 2)} s`;
    const vsSwarm = (ours: number, theirs?: number) => (theirs === undefined ? '' : `; Swarm here: p50 ${fmt(theirs, 1)} s (${fmt(theirs / ours, 1)}× Bramble's)`);
    rows.push(
      {
        scenario: `power cut (kill -9 agent + dockerd), 3 of 6 replicas, ${r.trials} trials: NotReady`,
        figure: p50max(b.powerCut.detection),
        target: '≤ 3 s',
        anchor: `Kubernetes ≈ 50 s to notice, +300 s to evict; Docker Swarm ≈ 15 s to notice${vsSwarm(b.powerCut.detection.p50, sw?.powerCut.detection.p50)}`,
      },
      {
        scenario: '  … 6 replicas Running on the other nodes',
        figure: p50max(b.powerCut.replacement),
        target: '≤ 15 s',
        anchor: `Kubernetes ≈ 350 s${vsSwarm(b.powerCut.replacement.p50, sw?.powerCut.replacement.p50)}`,
      },
      {
        scenario: `cut cable (100 % loss), each node once: NotReady`,
        figure: p50max(b.cable.detection),
        target: '≤ 3 s',
        anchor: vsSwarm(b.cable.detection.p50, sw?.cable.detection.p50).slice(2),
      },
      {
        scenario: '  … the last of them cut again right after it was back',
        figure: `${fmt(b.cable.repeatS, 2)} s`,
        target: '',
        anchor: 'its grace stretched by late heartbeats (at most --node-monitor-grace-period-max, 20 s)',
      },
      {
        scenario: `20 % packet loss for ${b.flaps.seconds} s on a node with 3 replicas`,
        figure: `${b.flaps.transitions} Ready transitions, ${b.flaps.replicasReplaced} replicas replaced`,
        target: '0',
        anchor: '',
      },
    );
    if (sw) {
      rows.push(
        {
          scenario: `Docker Swarm, same power cut (SIGKILL dockerd), ${r.trials} trials: node Down`,
          figure: p50max(sw.powerCut.detection),
          target: '',
          anchor: 'Docker Swarm ≈ 15 s to notice (5 s heartbeat)',
        },
        { scenario: '  … 6 tasks running on the other nodes', figure: p50max(sw.powerCut.replacement), target: '', anchor: '' },
        { scenario: `Docker Swarm, cut cable, ${sw.cable.detection.samples.length} trials: node Down`, figure: p50max(sw.cable.detection), target: '', anchor: '' },
      );
    } else if (!r.swarm.runnable) {
      rows.push({ scenario: 'Docker Swarm, same power cut', figure: `not runnable here: ${r.swarm.reason}`, target: '', anchor: '' });
    }
  }
  if (wanted('podrate')) {
    const r = await benchPodRate({ nodes: quick ? 20 : 100, clients: 24, pods: quick ? 200 : 1000 });
    results.podrate = r;
    rows.push(...scaleRows({ podrate: r }, fmt));
  }
  if (wanted('heartbeats')) {
    // Quick: shorter settles too, to keep the smoke run short.
    const r = await benchHeartbeats({ nodes: quick ? 50 : 1000, seconds: quick ? 5 : 60, settleSeconds: quick ? 2 : 10 });
    results.heartbeats = r;
    rows.push(...scaleRows({ heartbeats: r }, fmt));
  }
  if (wanted('sdwear')) {
    const r = await benchSdWear({ nodes: quick ? 10 : 50, seconds: quick ? 5 : 120, settleSeconds: quick ? 3 : 15 });
    results.sdwear = r;
    rows.push(...scaleRows({ sdwear: r }, fmt));
  }
  if (wanted('scale')) {
    // --nodes= / --pods= size the run (e.g. 1000 / 10000 while 5,000 nodes are out of reach).
    const r = await benchScale({
      nodes: numArg('nodes') ?? (quick ? 100 : 5000),
      pods: numArg('pods') ?? (quick ? 1000 : 50000),
      joinTimeoutS: quick ? 120 : 1800,
      rolloutTimeoutS: quick ? 180 : 3600,
      afterSeconds: quick ? 3 : 30,
      // Past 1,000 nodes, Kubernetes' node heartbeat (10 s, 40 s grace): see benchScale.
      heartbeat: (numArg('nodes') ?? (quick ? 100 : 5000)) > 1000 ? { interval: '10s', grace: '40s' } : undefined,
    });
    results.scale = r;
    rows.push(...scaleRows({ scale: r }, fmt));
  }
  const widths = (['scenario', 'figure', 'target', 'anchor'] as const).map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log(line(['scenario', 'figure', 'target', 'anchor']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line([r.scenario, r.figure, r.target, r.anchor]));
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGB: Math.round(totalmem() / 2 ** 30), node: process.version };
  writeFileSync(jsonOut, `${JSON.stringify({ date: new Date().toISOString(), quick, machine, results, rows }, null, 2)}\n`);
  console.log(`\nwrote ${jsonOut}`);
  if (exitExplicitly) process.exit(0); // the lab's exit handler tears down what is left
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
