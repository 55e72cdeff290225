// wire: a minimal protobuf wire-format reader — just what decoding kubectl's few protobuf
// request bodies needs (varints and length-delimited fields; no schema compiler).

export interface Field {
  no: number;
  wire: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

export class WireError extends Error {}

export function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      if (i >= buf.length) throw new WireError('truncated varint');
      const b = buf[i++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
      if (shift > 63n) throw new WireError('varint too long');
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    switch (wire) {
      case 0:
        out.push({ no, wire, varint: varint() });
        break;
      case 2: {
        const len = Number(varint());
        if (i + len > buf.length) throw new WireError('truncated field');
        out.push({ no, wire, bytes: buf.subarray(i, i + len) });
        i += len;
        break;
      }
      case 1:
        i += 8;
        break;
      case 5:
        i += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

const utf8 = new TextDecoder();

export function str(f: Field): string {
  return utf8.decode(f.bytes ?? new Uint8Array());
}

/** mapEntry reads a map<string, string|bytes> entry (field 1 key, field 2 value). */
export function mapEntry(f: Field): [string, Uint8Array] {
  let key = '';
  let value: Uint8Array = new Uint8Array();
  for (const e of readFields(f.bytes ?? new Uint8Array())) {
    if (e.no === 1) key = str(e);
    else if (e.no === 2) value = e.bytes ?? new Uint8Array();
  }
  return [key, value];
}
