// ports: port numbers, IANA port names and protocols, shared by containers, probes and Services.
import { type FieldCause, invalid, notSupported, typeInvalid } from './field.js';
import { isValidPortName, isValidPortNum } from './names.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

/** validatePortNum checks an integer port 1-65535; a missing port reads as 0, as in Go. */
export function validatePortNum(out: FieldCause[], v: unknown, field: string): void {
  if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isInteger(v))) {
    out.push(typeInvalid(field, v, 'integer'));
    return;
  }
  const port = (v as number | undefined) ?? 0;
  for (const msg of isValidPortNum(port)) out.push(invalid(field, port, msg));
}

/** validatePortNumOrName checks an IntOrString port: a number, or a named container port. */
export function validatePortNumOrName(out: FieldCause[], v: unknown, field: string): void {
  if (typeof v === 'string') {
    for (const msg of isValidPortName(v)) out.push(invalid(field, v, msg));
  } else {
    validatePortNum(out, v, field);
  }
}

/** validateProtocol checks an optional protocol (the API defaults it to TCP). */
export function validateProtocol(out: FieldCause[], v: unknown, field: string): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string') out.push(typeInvalid(field, v, 'string'));
  else if (!(PROTOCOLS as readonly string[]).includes(v)) out.push(notSupported(field, v, PROTOCOLS));
}
