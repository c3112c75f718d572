import { createServer } from 'node:net';

/**
 * A port for a service to listen on. Not one the kernel hands out (its ephemeral range, 32768
 * and up, is also where outgoing connections get their local ports, so a port freed here could
 * be taken by a client socket before the service binds it): a random one below that range,
 * checked free. Parallel suites pick at random, so they practically never meet.
 */
export async function freeServicePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}
