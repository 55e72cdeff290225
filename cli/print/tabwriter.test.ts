import { describe, expect, it } from 'vitest';
import { DESCRIBE, formatTabbed, GET_TABLE } from './tabwriter.js';

describe('formatTabbed', () => {
  it('pads columns like kubectl get (min width 6, padding 3)', () => {
    const text = 'NAME\tREADY\tAGE\nweb-1\t1/1\t5s\n';
    expect(formatTabbed(text, GET_TABLE)).toBe('NAME    READY   AGE\nweb-1   1/1     5s\n');
  });

  it('aligns only within a column block, as Go tabwriter does', () => {
    const text = 'Name:\tweb\nNamespace:\tdefault\nContainers:\n  nginx:\n    Image:\tnginx\n';
    expect(formatTabbed(text, DESCRIBE)).toBe('Name:       web\nNamespace:  default\nContainers:\n  nginx:\n    Image:  nginx\n');
  });

  it('leaves continuation lines aligned under the value', () => {
    expect(formatTabbed('Labels:\ta=b\n\tc=d\n', DESCRIBE)).toBe('Labels:  a=b\n         c=d\n');
  });
});
