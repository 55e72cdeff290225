// command: the shape of a CLI verb.
export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  /** run returns the exit code, or undefined to keep running (servers). */
  run(argv: string[]): Promise<number | undefined>;
}
