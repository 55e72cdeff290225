// until polls f every everyMs until ok(value), and fails after ms with what it waited for and the
// last value seen — a test that times out then says why.
export async function until<T>(what: string, f: () => T | Promise<T>, ok: (v: T) => boolean, ms = 60_000, everyMs = 250): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(v)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    v = await f();
  }
  return v;
}
