import { createServer } from 'node:http';
import { InputError } from '../errors.js';
import type { JobMetrics } from './metrics.js';

/** `/metrics` in Prometheus text format on 0.0.0.0:PORT while the run lasts. */
export async function serveMetrics(port: number, metrics: JobMetrics): Promise<{ close(): Promise<void> }> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end('see /metrics\n');
      return;
    }
    metrics.text().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: Error) => response.writeHead(500).end(`${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new InputError(`--metrics-port ${port} is in use: pick another port`) : error),
    );
    server.listen(port, resolve);
  });
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}
