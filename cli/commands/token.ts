// token: `bramble token create`, a join token for new nodes (see bootstrap-token.ts for its form).
import { UsageError } from '../../shared/options.js';
import { caHash, ID_LENGTH, joinToken, randomToken, SECRET_LENGTH, type TokenSpec, tokenSecret } from '../bootstrap-token.js';
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
    const hash = caHash(s.client.conn.caPem);
    const spec: TokenSpec = {
      id: randomToken(ID_LENGTH),
      secret: randomToken(SECRET_LENGTH),
      expiresAt: values.ttl > 0 ? Date.now() + values.ttl : undefined,
      description: values.description,
    };
    await s.client.create('/api/v1/namespaces/kube-system/secrets', tokenSecret(spec));
    console.log(joinToken(hash, spec));
    return 0;
  },
});
