// generic: describe for kinds without their own describer — identity, then every other
// top-level field (spec, status, data, …) as indented YAML.
import { rfc1123z } from '../print/age.js';
import { toYaml } from '../print/yaml.js';
import type { Describer } from './context.js';
import { describeEvents } from './events.js';

const SKIP = new Set(['apiVersion', 'kind', 'metadata']);

export const describeGeneric: Describer = async (obj, w, ctx) => {
  const md = obj.metadata;
  w.line(0, `Name:\t${md.name}`);
  if (md.namespace) w.line(0, `Namespace:\t${md.namespace}`);
  w.labels(0, 'Labels', md.labels);
  w.annotations(0, 'Annotations', md.annotations);
  w.line(0, `API Version:\t${obj.apiVersion}`);
  w.line(0, `Kind:\t${obj.kind}`);
  w.line(0, `CreationTimestamp:\t${rfc1123z(md.creationTimestamp)}`);
  for (const [key, value] of Object.entries(obj)) {
    if (SKIP.has(key) || value === undefined) continue;
    const title = key[0].toUpperCase() + key.slice(1);
    if (value === null || typeof value !== 'object') {
      w.line(0, `${title}:\t${value}`);
      continue;
    }
    w.line(0, `${title}:`);
    // Tabs inside values would read as column breaks to the aligner.
    for (const line of toYaml(value).trimEnd().split('\n')) w.line(1, line.replace(/\t/g, '    '));
  }
  await describeEvents(obj, w, ctx);
};
