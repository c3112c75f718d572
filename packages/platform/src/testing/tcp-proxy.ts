/**
 * A TCP proxy of a test's own in front of a real component (Temporal, MinIO, ...): the code under
 * test connects through it, and the test cuts it (an outage only that code sees: open
 * connections destroyed, new ones refused) and opens it again on the same port.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { freeServicePort } from './ports';

export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A proxy to `host:port` (an address as Temporal's, or a URL's host and port). */
  static to(address: string): TcpProxy {
    const url = new URL(address.includes('://') ? address : `tcp://${address}`);
    return new TcpProxy(url.hostname, Number(url.port));
  }

  /** `host:port` of the proxy. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    // Not a port of the kernel's ephemeral range: opened again after an outage, the proxy needs
    // its port back, and a client socket could have been given it meanwhile (see ports.ts).
    if (this.port === 0) this.port = await freeServicePort();
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      // A side that goes away takes the other with it: a client killed with unread data resets
      // its socket (an error, which pipe() does not pass on), and the target would otherwise
      // keep its end open (a PostgreSQL backend holding the dead process's advisory locks).
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** The outage: no more connections, and the open ones cut. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }
}
