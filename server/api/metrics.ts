// metrics: a few counters in the Prometheus text format. Hand-written on purpose: the server's
// idle footprint target (≤ 100 MB on a Pi) leaves no room for a metrics library's weight, and
// these are plain counters and gauges.
/** A metric is one value, or one value per label set (series). */
export type MetricsSource = () => Record<string, { help: string; type: 'counter' | 'gauge'; value: number | { labels: Record<string, string>; value: number }[] }>;

export function renderMetrics(source: MetricsSource): string {
  const lines: string[] = [];
  for (const [name, m] of Object.entries(source())) {
    lines.push(`# HELP ${name} ${m.help}`, `# TYPE ${name} ${m.type}`);
    if (typeof m.value === 'number') lines.push(`${name} ${m.value}`);
    else for (const s of m.value) lines.push(`${name}{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}} ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}

// escapeLabel: label values escape backslash, quote and newline (the text format's rules).
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
