// tabwriter: Go's text/tabwriter (align left, space padding), because kubectl formats both
// `get` tables and `describe` output with it; matching its column-block rules makes Bramble's
// output line up the way kubectl users expect, down to where a column block starts and ends.

export interface TabwriterOptions {
  /** minWidth: narrowest column, padding included (kubectl get: 6; describe: 0). */
  minWidth: number;
  /** padding: spaces added to the widest cell of a column (kubectl get: 3; describe: 2). */
  padding: number;
}

export const GET_TABLE: TabwriterOptions = { minWidth: 6, padding: 3 };
export const DESCRIBE: TabwriterOptions = { minWidth: 0, padding: 2 };

/** formatTabbed aligns text whose cells are tab-terminated; the last cell of a line is never padded. */
export function formatTabbed(text: string, opts: TabwriterOptions): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];
  const write = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      out.push(lines[i].map((c, j) => (j < widths.length ? c + ' '.repeat(Math.max(0, widths[j] - width(c))) : c)).join(''));
    }
  };
  // format is Go's recursive column-block pass: a block is a run of lines that all have a
  // tab-terminated cell in the current column; its width is the widest such cell.
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i].length - 1) continue;
      write(start, i);
      start = i;
      let w = opts.minWidth;
      for (; i < line1 && column < lines[i].length - 1; i++) w = Math.max(w, width(lines[i][column]) + opts.padding);
      widths.push(w);
      format(start, i);
      widths.pop();
      start = i;
      i--;
    }
    write(start, line1);
  };
  format(0, lines.length);
  return out.join('\n');
}

function width(s: string): number {
  return [...s].length;
}
