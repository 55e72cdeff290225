// secret: describe shows a Secret's keys and sizes, never the values (as kubectl does, which
// also shows no events for Secrets).
import type { Describer } from './context.js';

export const describeSecret: Describer = async (obj, w) => {
  const md = obj.metadata;
  w.line(0, `Name:\t${md.name}`);
  w.line(0, `Namespace:\t${md.namespace}`);
  w.labels(0, 'Labels', md.labels);
  w.annotations(0, 'Annotations', md.annotations);
  w.line(0, '');
  w.line(0, `Type:\t${obj.type ?? 'Opaque'}`);
  w.line(0, '');
  w.line(0, 'Data');
  w.line(0, '====');
  for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b))) {
    w.line(0, `${k}:\t${Buffer.from(v, 'base64').length} bytes`);
  }
};
