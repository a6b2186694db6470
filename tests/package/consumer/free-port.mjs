// One free port for a server a test starts and must name in advance (a
// config file, a public URL): picked at random below Linux's ephemeral range
// (32768-60999), so no outgoing connection of this or another process can
// be handed it between the check and the server's bind, as a port from
// listen(0) can (seen: a scale instance failing with AddrInUse).
import { createServer } from 'node:net';

const FIRST = 20_000;
const COUNT = 12_000;

const canListen = (port) =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

export async function freePort() {
  for (let tries = 0; tries < 100; tries++) {
    const port = FIRST + Math.floor(Math.random() * COUNT);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${FIRST}-${FIRST + COUNT - 1} after 100 tries`);
}
