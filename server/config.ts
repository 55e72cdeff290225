// config: every setting of `bramble server`, each a flag, a BRAMBLE_* variable and a config key.
import { hostname } from 'node:os';
import type { OptionDef, OptionValues } from '../shared/options.js';

export const SERVER_OPTIONS: OptionDef[] = [
  { name: 'data-dir', type: 'string', default: '/var/lib/bramble/server', help: 'where state, certificates and the kubeconfig live', category: 'General' },
  { name: 'node-name', type: 'string', default: hostname().toLowerCase(), help: 'name of this host\'s node (for the built-in agent)', category: 'General' },
  { name: 'log-level', type: 'string', default: 'info', help: 'trace, debug, info, warn or error', category: 'General' },
  { name: 'https-port', type: 'number', default: 6443, help: 'port of the Kubernetes API (HTTPS)', category: 'Listeners' },
  { name: 'bind-address', type: 'string', default: '0.0.0.0', help: 'address the API and MQTT listeners bind to', category: 'Listeners' },
  { name: 'tls-san', type: 'list', default: [], help: 'extra host names or IPs for the serving certificate (comma-separated)', category: 'Listeners' },
  { name: 'mqtt-port', type: 'number', default: 8883, help: 'port of the embedded MQTT broker (TLS)', category: 'Agents' },
  {
    name: 'mqtt-url',
    type: 'string',
    default: '',
    help: 'use an external MQTT broker instead of the embedded one: Mosquitto 2 with its dynamic security plugin, mqtts://[USER[:PASSWORD]@]HOST[:PORT] (USER: its dynsec admin)',
    category: 'Agents',
  },
  { name: 'mqtt-username', type: 'string', default: '', help: 'the external broker\'s dynamic-security admin account (instead of USER in --mqtt-url)', category: 'Agents' },
  { name: 'mqtt-password', type: 'string', default: '', help: 'its password (instead of PASSWORD in --mqtt-url; BRAMBLE_MQTT_PASSWORD keeps it off the command line)', category: 'Agents' },
  { name: 'mqtt-ca', type: 'string', default: '', help: 'PEM file of the CA that signed the external broker\'s certificate (default: the cluster CA); agents get it too', category: 'Agents' },
  { name: 'mqtt-advertise-url', type: 'string', default: '', help: 'the external broker\'s URL as agents reach it (default: --mqtt-url without credentials)', category: 'Agents' },
  { name: 'no-agent', type: 'boolean', default: false, help: 'do not run an agent for this host', category: 'Agents' },
  { name: 'datastore-endpoint', type: 'string', default: '', help: 'libSQL URL of the state database (default: a file in the data dir)', category: 'Datastore' },
  { name: 'datastore-token', type: 'string', default: '', help: 'auth token for a remote libSQL datastore', category: 'Datastore' },
  { name: 'history-revisions', type: 'number', default: 10000, help: 'revisions of history kept for watches to resume from', category: 'Datastore' },
  { name: 'cluster-cidr', type: 'string', default: '10.42.0.0/16', help: 'pod network; each node gets a range of it (--node-cidr-mask-size)', category: 'Networking' },
  {
    name: 'node-cidr-mask-size',
    type: 'number',
    default: 24,
    help: "prefix length of each node's pod range: /24 (254 pods) in the default /16 is 256 nodes; 5,000 nodes need e.g. --cluster-cidr 10.64.0.0/11, or a /13 with 26",
    category: 'Networking',
  },
  { name: 'service-cidr', type: 'string', default: '10.43.0.0/16', help: 'range for Service ClusterIPs', category: 'Networking' },
  { name: 'cluster-dns', type: 'string', default: '10.43.0.10', help: 'ClusterIP of the kube-dns Service (every node answers it itself)', category: 'Networking' },
  { name: 'service-node-port-range', type: 'string', default: '30000-32767', help: 'range for NodePorts', category: 'Networking' },
  { name: 'node-monitor-grace-period', type: 'duration', default: '3s', help: 'a node is NotReady after this long without a heartbeat', category: 'Nodes' },
  {
    name: 'node-monitor-grace-period-max',
    type: 'duration',
    default: '20s',
    help: 'the most a node on a lossy or jittery link gets instead (its grace grows with the variation of its heartbeat delays)',
    category: 'Nodes',
  },
  { name: 'default-not-ready-toleration', type: 'duration', default: '5s', help: 'how long pods stay on a NotReady node before being replaced', category: 'Nodes' },
];

export interface ServerConfig {
  dataDir: string;
  nodeName: string;
  logLevel: string;
  httpsPort: number;
  bindAddress: string;
  tlsSan: string[];
  mqttPort: number;
  mqttUrl: string;
  mqttUsername: string;
  mqttPassword: string;
  mqttCa: string;
  mqttAdvertiseUrl: string;
  noAgent: boolean;
  datastoreEndpoint: string;
  datastoreToken: string;
  historyRevisions: number;
  clusterCidr: string;
  /** nodeCidrMaskSize: undefined in configs built by hand (tests) means 24. */
  nodeCidrMaskSize?: number;
  serviceCidr: string;
  clusterDns: string;
  serviceNodePortRange: string;
  nodeMonitorGracePeriod: number;
  nodeMonitorGracePeriodMax: number;
  defaultNotReadyToleration: number;
}

export function serverConfig(v: OptionValues): ServerConfig {
  return v as ServerConfig;
}

export function nodePortRange(s: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(s);
  if (!m || Number(m[1]) > Number(m[2])) throw new Error(`invalid node port range "${s}" (expected e.g. 30000-32767)`);
  return [Number(m[1]), Number(m[2])];
}
