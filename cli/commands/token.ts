// token: `bramble token create`, a join token for new nodes (see shared/join-token.ts for its form).
import { caDerHash, formatJoinToken, randomTokenParts, tokenSecret } from '../../shared/join-token.js';
import { UsageError } from '../../shared/options.js';
import { CliError } from '../errors.js';
import { CONNECTION_OPTIONS, session } from '../flags.js';
import { defineVerb } from './verb.js';

const TOKEN = 'Token';

export const tokenCommand = defineVerb({
  name: 'token',
  summary: 'create join tokens for new nodes',
  usage: 'bramble token create [--ttl 24h] [--description TEXT]',
  options: [
    { name: 'ttl', type: 'duration', default: '24h', help: 'how long the token stays valid (0: for ever)', category: TOKEN },
    { name: 'description', type: 'string', default: "join token made by 'bramble token create'", help: 'what the token is for', category: TOKEN },
    ...CONNECTION_OPTIONS,
  ],
  async run(values, positionals) {
    if (positionals[0] !== 'create' || positionals.length > 1) throw new UsageError('expected: bramble token create [--ttl 24h] [--description TEXT]');
    const s = session(values);
    // Hash first: a kubeconfig without the CA should fail before a token is stored.
    const hash = clusterCaHash(s.client.conn.caPem);
    const parts = randomTokenParts();
    const expiresAt = values.ttl > 0 ? Date.now() + values.ttl : undefined;
    await s.client.create('/api/v1/namespaces/kube-system/secrets', tokenSecret(parts, values.description, expiresAt));
    console.log(formatJoinToken(hash, parts));
    return 0;
  },
});

/** clusterCaHash is the join token's CA hash of the kubeconfig's cluster CA (the first certificate in the PEM). */
export function clusterCaHash(caPem: string | undefined): string {
  if (!caPem) throw new CliError('the kubeconfig names no cluster CA (certificate-authority-data), which a join token needs');
  try {
    return caDerHash(caPem);
  } catch (e) {
    throw new CliError(`the kubeconfig's cluster CA is not a valid certificate: ${(e as Error).message}`);
  }
}
