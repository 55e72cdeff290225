// probe: liveness, readiness and startup probes. Exactly one handler (exec, httpGet, tcpSocket,
// grpc); timings are non-negative; liveness and startup probes need successThreshold 1.
import { child, type FieldCause, forbidden, invalid, notSupported, required } from './field.js';
import { validatePortNum, validatePortNumOrName } from './ports.js';
import { isSet, nonNegative, type Obj, objects, str, strings, typed } from './shape.js';

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const TIMINGS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const;

function validateHandler(out: FieldCause[], p: Obj, field: string): void {
  const given = HANDLERS.filter((h) => isSet(p[h]));
  if (given.length === 0) out.push(required(field, 'must specify a handler type'));
  for (const h of given.slice(1)) out.push(forbidden(child(field, h), 'may not specify more than 1 handler type'));
  const h = given[0];
  const f = child(field, h ?? '');
  if (!h || !typed(out, p[h], f, 'object')) return;
  const handler = p[h] as Obj;
  switch (h) {
    case 'exec':
      if (strings(out, handler.command, child(f, 'command')).length === 0) out.push(required(child(f, 'command'), ''));
      break;
    case 'httpGet': {
      str(out, handler.path, child(f, 'path'));
      validatePortNumOrName(out, handler.port, child(f, 'port'));
      const scheme = str(out, handler.scheme, child(f, 'scheme'));
      if (scheme && scheme !== 'HTTP' && scheme !== 'HTTPS') out.push(notSupported(child(f, 'scheme'), scheme, ['HTTP', 'HTTPS']));
      for (const [hdr, hp] of objects(out, handler.httpHeaders, child(f, 'httpHeaders'))) {
        if (!str(out, hdr.name, child(hp, 'name'))) out.push(required(child(hp, 'name'), ''));
      }
      break;
    }
    case 'tcpSocket':
      validatePortNumOrName(out, handler.port, child(f, 'port'));
      break;
    case 'grpc':
      validatePortNum(out, handler.port, child(f, 'port'));
      break;
  }
}

/** validateProbe checks one probe; `single` marks liveness/startup probes (successThreshold 1). */
export function validateProbe(out: FieldCause[], probe: unknown, field: string, single: boolean): void {
  if (!typed(out, probe, field, 'object')) return;
  const p = probe as Obj;
  validateHandler(out, p, field);
  for (const t of TIMINGS) nonNegative(out, p[t], child(field, t));
  if (single && typeof p.successThreshold === 'number' && p.successThreshold !== 1) {
    out.push(invalid(child(field, 'successThreshold'), p.successThreshold, 'must be 1'));
  }
  const grace = nonNegative(out, p.terminationGracePeriodSeconds, child(field, 'terminationGracePeriodSeconds'));
  if (grace === 0) out.push(invalid(child(field, 'terminationGracePeriodSeconds'), 0, 'must be greater than 0'));
}
