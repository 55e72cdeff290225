import { describe, expect, it } from 'vitest';
import { fitErrorMessage } from './fit-error.js';

describe('fitErrorMessage', () => {
  it.each<[number, [string, number][], string]>([
    [
      3,
      [
        ['Insufficient memory', 2],
        ['node(s) were unschedulable', 1],
      ],
      '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient memory.',
    ],
    [
      // Kubernetes sorts the "<count> <reason>" strings, so 12 sorts before 2.
      14,
      [
        ['node(s) were unschedulable', 2],
        ['Insufficient cpu', 12],
      ],
      '0/14 nodes are available: 12 Insufficient cpu, 2 node(s) were unschedulable.',
    ],
    [
      2,
      [
        ['node(s) had untolerated taint {spray: mortein}', 1],
        ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }', 1],
      ],
      '0/2 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had untolerated taint {spray: mortein}.',
    ],
    [1, [['Insufficient cpu', 1]], '0/1 nodes are available: 1 Insufficient cpu.'],
    [3, [], '0/3 nodes are available:'],
  ])('%d nodes, %j', (nodes, reasons, want) => {
    expect(fitErrorMessage(nodes, new Map(reasons))).toBe(want);
  });
});
