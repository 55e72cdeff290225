// registry: which printer makes the table for each resource (plural name, as in the URL).
import { configmaps } from './configmaps.js';
import { deployments } from './deployments.js';
import { endpoints } from './endpoints.js';
import { endpointslices } from './endpointslices.js';
import { events } from './events.js';
import { leases } from './leases.js';
import { namespaces } from './namespaces.js';
import { nodes } from './nodes.js';
import { poddisruptionbudgets } from './poddisruptionbudgets.js';
import { pods } from './pods.js';
import { replicasets } from './replicasets.js';
import { secrets } from './secrets.js';
import { services } from './services.js';
import type { TablePrinter } from './types.js';

export const printers: Readonly<Record<string, TablePrinter>> = {
  pods,
  deployments,
  replicasets,
  nodes,
  services,
  namespaces,
  events,
  configmaps,
  secrets,
  endpoints,
  endpointslices,
  leases,
  poddisruptionbudgets,
};
