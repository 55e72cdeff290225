import { describe, expect, it } from 'vitest';
import { renderMetrics } from './metrics.js';

describe('renderMetrics', () => {
  it('renders plain values and labelled series in the Prometheus text format', () => {
    const text = renderMetrics(() => ({
      bramble_store_commits_total: { help: 'Commits.', type: 'counter', value: 7 },
      bramble_node_heartbeat_grace_seconds: { help: 'Grace.', type: 'gauge', value: [{ labels: { node: 'pi-1' }, value: 3 }, { labels: { node: 'a"b\\c' }, value: 12.5 }] },
    }));
    expect(text).toBe(
      [
        '# HELP bramble_store_commits_total Commits.',
        '# TYPE bramble_store_commits_total counter',
        'bramble_store_commits_total 7',
        '# HELP bramble_node_heartbeat_grace_seconds Grace.',
        '# TYPE bramble_node_heartbeat_grace_seconds gauge',
        'bramble_node_heartbeat_grace_seconds{node="pi-1"} 3',
        'bramble_node_heartbeat_grace_seconds{node="a\\"b\\\\c"} 12.5',
        '',
      ].join('\n'),
    );
  });
});
