// spec-rules: checks on a ContainerSpec that Docker would make at create time, done up front so the
// real runtime and the fake refuse the same specs with the same words.
import type { ContainerSpec } from './runtime.js';

/** joinedContainer returns the id a spec's network mode joins (`container:<id>`), if any. */
export function joinedContainer(spec: Pick<ContainerSpec, 'network'>): string | undefined {
  return spec.network.startsWith('container:') ? spec.network.slice('container:'.length) : undefined;
}

/**
 * specProblems lists what Docker refuses in a spec. A container joining another's network
 * namespace inherits its hostname, DNS settings and ports, so those belong on the infra container.
 */
export function specProblems(spec: ContainerSpec): string[] {
  const problems: string[] = [];
  if (!spec.name) problems.push('name is empty');
  if (!spec.image) problems.push('image is empty');
  if (joinedContainer(spec) !== undefined) {
    const onlyOnInfra: [keyof ContainerSpec, unknown][] = [
      ['hostname', spec.hostname],
      ['dnsServers', spec.dnsServers?.length],
      ['dnsSearch', spec.dnsSearch?.length],
      ['dnsOptions', spec.dnsOptions?.length],
      ['hostPorts', spec.hostPorts?.length],
      ['ipAddress', spec.ipAddress],
    ];
    for (const [field, value] of onlyOnInfra) {
      if (value) problems.push(`${field} conflicts with network mode ${spec.network} (set it on the infra container)`);
    }
  }
  return problems;
}

/** checkSpec throws one Error naming every problem in a spec. */
export function checkSpec(spec: ContainerSpec): void {
  const problems = specProblems(spec);
  if (problems.length > 0) throw new Error(`invalid container spec ${spec.name}: ${problems.join('; ')}`);
}
