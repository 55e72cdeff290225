// demux: Docker multiplexes a non-TTY container's stdout and stderr on one stream as frames of
// an 8-byte header (stream type, 3 zero bytes, big-endian payload length) and the payload.

export type StreamType = 'stdin' | 'stdout' | 'stderr';

export interface Frame {
  stream: StreamType;
  payload: Buffer;
}

const TYPES: Record<number, StreamType> = { 0: 'stdin', 1: 'stdout', 2: 'stderr' };

/** Demuxer turns chunks of a multiplexed stream into frames; a frame may span many chunks. */
export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (this.pending.length >= 8) {
      const stream = TYPES[this.pending[0]];
      if (!stream) {
        // Not multiplexed after all (a TTY stream): pass the rest through as stdout.
        frames.push({ stream: 'stdout', payload: this.pending });
        this.pending = Buffer.alloc(0);
        break;
      }
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      frames.push({ stream, payload: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return frames;
  }

  /** rest returns bytes left over at the end of the stream (a truncated frame). */
  rest(): Buffer {
    return this.pending.length > 8 ? this.pending.subarray(8) : Buffer.alloc(0);
  }
}

/** demuxAll splits a whole multiplexed buffer into its payloads. */
export function demuxAll(buf: Buffer): Frame[] {
  return new Demuxer().push(buf);
}

/** frame builds one multiplexed frame (for tests and the fake runtime). */
export function frame(stream: StreamType, payload: Buffer | string): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = stream === 'stdin' ? 0 : stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}
