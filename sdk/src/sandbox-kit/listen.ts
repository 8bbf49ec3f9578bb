import type { FastifyInstance } from 'fastify';

/** Starts a sandbox server on loopback (port 0 = random) and returns its base URL. */
export async function listen(
  app: FastifyInstance,
  options: { port?: number; host?: string },
): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('Sandbox server has no TCP address');
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost}:${address.port}`;
}
