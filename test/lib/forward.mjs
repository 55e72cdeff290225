// forward: pipes every connection from one listening endpoint to another; an endpoint is
// "tcp:HOST:PORT" or "unix:PATH". Unix sockets are filesystem objects, so a pair of forwarders
// carries a TCP port from the root namespace's loopback into a lab namespace's loopback without
// adding any link or route to the root namespace.
//   node forward.mjs LISTEN TARGET
import { rmSync } from 'node:fs';
import net from 'node:net';

const [listen, target] = process.argv.slice(2);
const parse = (e) => (e.startsWith('unix:') ? { path: e.slice(5) } : { host: e.split(':')[1], port: Number(e.split(':')[2]) });
const l = parse(listen);
if (l.path) rmSync(l.path, { force: true });
const server = net.createServer((client) => {
  const upstream = net.connect(parse(target));
  client.pipe(upstream).pipe(client);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end);
  upstream.on('error', end);
});
server.listen(l.path ? l.path : { host: l.host, port: l.port }, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
