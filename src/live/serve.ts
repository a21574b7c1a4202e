// The HTTP side of `membench serve`: /metrics from the cached registry, a one-line error when the port is
// taken, and a shutdown that stops polling and closes connections.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { MembenchError } from '../errors.js';

export function portTakenError(bind: string, port: number, cause: unknown): MembenchError {
  return new MembenchError(
    'environment',
    `port ${port} on ${bind} is already in use`,
    `pick another with --port, or find what listens there with ss -ltnp 'sport = :${port}'`,
    { cause },
  );
}

export function bindError(bind: string, port: number, cause: NodeJS.ErrnoException): MembenchError {
  if (cause.code === 'EADDRINUSE') return portTakenError(bind, port, cause);
  if (cause.code === 'EACCES')
    return new MembenchError(
      'environment',
      `not permitted to listen on ${bind}:${port}`,
      'ports below 1024 need root; pick a port ≥ 1024',
      { cause },
    );
  if (cause.code === 'EADDRNOTAVAIL')
    return new MembenchError(
      'environment',
      `${bind} is not an address of this machine`,
      'give --bind 127.0.0.1 or an address from ip addr',
      { cause },
    );
  return new MembenchError('environment', `cannot listen on ${bind}:${port}: ${cause.message}`, undefined, { cause });
}

/** Listens on bind:port; resolves with the server and the port actually bound (for --port 0). */
export async function listenMetrics(registry: Registry, bind: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`membench: ${(e as Error).message}\n`),
      );
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('membench serve: metrics at /metrics\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(bindError(bind, port, e)));
    server.listen(port, bind, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Stops accepting, ends idle keep-alive connections, resolves once closed (or after 2 s, forcing the rest). */
export async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 2000);
  await closed;
  clearTimeout(force);
}
