// metrics: a few counters in the Prometheus text format. Hand-written on purpose: the server's
// idle footprint target (≤ 100 MB on a Pi) leaves no room for a metrics library's weight, and
// these are plain counters and gauges.
export type MetricsSource = () => Record<string, { help: string; type: 'counter' | 'gauge'; value: number }>;

export function renderMetrics(source: MetricsSource): string {
  const lines: string[] = [];
  for (const [name, m] of Object.entries(source())) {
    lines.push(`# HELP ${name} ${m.help}`, `# TYPE ${name} ${m.type}`, `${name} ${m.value}`);
  }
  return `${lines.join('\n')}\n`;
}
