import { describe, expect, it } from 'vitest';
import { type Outcome, parse, run } from './fake-script.js';

async function play(argv: string[], unknown: 'runs' | 'succeeds' = 'runs') {
  let out = '';
  let err = '';
  const slept: number[] = [];
  const outcome: Outcome = await run(
    argv,
    {
      write: (s, t) => {
        if (s === 'stdout') out += t;
        else err += t;
      },
      sleep: async (ms) => {
        slept.push(ms);
      },
    },
    unknown,
  );
  return { outcome, out, err, slept };
}

describe('fake-script', () => {
  it('parses quotes and separators', () => {
    expect(parse(`echo 'a b' "c;d"; exit 2 && true || false`).map((c) => [c.after, ...c.words])).toEqual([
      [';', 'echo', 'a b', 'c;d'],
      [';', 'exit', '2'],
      ['&&', 'true'],
      ['||', 'false'],
    ]);
  });

  it.each([
    [['exit', '1'], { exitCode: 1 }],
    [['sh', '-c', 'exit 3'], { exitCode: 3 }],
    [['/bin/sh', '-c', 'false'], { exitCode: 1 }],
    [['sh', '-c', 'false || exit 4'], { exitCode: 4 }],
    [['sh', '-c', 'true && exit 5'], { exitCode: 5 }],
    [['sh', '-c', 'false && exit 5'], { exitCode: 1 }],
    [['sh'], { exitCode: 0 }],
    [['/bin/sh'], { exitCode: 0 }],
    [['echo', 'hi'], { exitCode: 0 }],
    [['httpd', '-f'], { runs: true }],
    [['sh', '-c', 'echo starting; exec nginx'], { runs: true }],
    [['sleep', 'infinity'], { runs: true }],
    [['sh', '-c', 'x=a; while true; do x=$x$x; done'], { runs: true }],
    [['sh', '-c', "sh -c 'exit 7'; echo after"], { exitCode: 0 }],
  ])('%j ends with %j', async (argv, outcome) => {
    expect((await play(argv)).outcome).toEqual(outcome);
  });

  it('writes echo to stdout or stderr and sleeps on the clock', async () => {
    const r = await play(['sh', '-c', 'echo one; echo two >&2; sleep 2; sleep 1m; echo -n three; exit 1']);
    expect(r).toEqual({ outcome: { exitCode: 1 }, out: 'one\nthree', err: 'two\n', slept: [2000, 60000] });
  });

  it('treats unknown programs in an exec as silent successes', async () => {
    expect((await play(['cat', '/tmp/healthy'], 'succeeds')).outcome).toEqual({ exitCode: 0 });
  });
});
