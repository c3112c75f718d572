/**
 * A TCP proxy that keeps every byte it forwards, both ways: put in front of an internal service,
 * it shows what crosses that hop (headers included), as someone on the loopback would see it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class RecordingProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly chunks: Buffer[] = [];

  constructor(private readonly target: URL) {}

  /** Starts on a free port; answers the URL to use instead of the target's. */
  async open(): Promise<string> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => this.chunks.push(chunk));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  /** Everything forwarded so far, in both directions. */
  recorded(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** The HTTP requests that crossed, each as its method, path and header names (lower case). */
  requests(): Array<{ method: string; path: string; headers: string[] }> {
    const text = this.recorded().toString('latin1');
    return [
      ...text.matchAll(/(GET|POST|PATCH|DELETE) (\S+) HTTP\/1\.1\r\n([\s\S]*?)\r\n\r\n/g),
    ].map(([, method = '', path = '', head = '']) => ({
      method,
      path,
      headers: head.split('\r\n').map((line) => line.split(':')[0]!.toLowerCase()),
    }));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
