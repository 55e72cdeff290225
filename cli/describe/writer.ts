// writer: kubectl's describe PrefixWriter. Lines are written with tab-separated cells at an
// indent level and aligned at the end by the Go tabwriter rules (describe: padding 2), so
// Bramble's describe lines up like kubectl's.
import { LAST_APPLIED } from '../apply/last-applied.js';
import { DESCRIBE, formatTabbed } from '../print/tabwriter.js';

// MAX_ANNOTATION: longer annotation values go on their own lines, shortened, like kubectl.
const MAX_ANNOTATION = 140;

export class DescribeWriter {
  private readonly lines: string[] = [];

  /** line writes one line at an indent level (0: none, 1: two spaces, 2: four, …). */
  line(level: number, text: string): void {
    this.lines.push('  '.repeat(level) + text);
  }

  /** labels writes `Title:\tk=v` with further labels on continuation lines; <none> if empty. */
  labels(level: number, title: string, labels: Record<string, string> | undefined): void {
    const keys = Object.keys(labels ?? {}).sort();
    if (keys.length === 0) {
      this.line(level, `${title}:\t<none>`);
      return;
    }
    for (const [i, k] of keys.entries()) this.line(level, `${i === 0 ? `${title}:` : ''}\t${k}=${labels![k]}`);
  }

  /** annotations writes `key: value` pairs, leaving out the last-applied configuration. */
  annotations(level: number, title: string, annotations: Record<string, string> | undefined): void {
    const keys = Object.keys(annotations ?? {})
      .filter((k) => k !== LAST_APPLIED)
      .sort();
    if (keys.length === 0) {
      this.line(level, `${title}:\t<none>`);
      return;
    }
    keys.forEach((k, i) => {
      const prefix = i === 0 ? `${title}:` : '';
      const value = annotations![k].replace(/\n$/, '');
      if (value.length + k.length + 2 <= MAX_ANNOTATION && !value.includes('\n')) {
        this.line(level, `${prefix}\t${k}: ${value}`);
        return;
      }
      this.line(level, `${prefix}\t${k}:`);
      for (const s of value.split('\n')) this.line(level, `\t  ${shorten(s, MAX_ANNOTATION - 2)}`);
    });
  }

  /** list writes `Title:\ta` then continuation lines, or `Title:\t<none>`. */
  list(level: number, title: string, items: string[]): void {
    if (items.length === 0) {
      this.line(level, `${title}:\t<none>`);
      return;
    }
    for (const [i, item] of items.entries()) this.line(level, `${i === 0 ? `${title}:` : ''}\t${item}`);
  }

  toString(): string {
    return `${formatTabbed(this.lines.join('\n'), DESCRIBE)}\n`;
  }
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** orNone is kubectl's placeholder for an empty value. */
export function orNone(v: string | number | undefined | null): string {
  return v === undefined || v === null || v === '' ? '<none>' : String(v);
}
