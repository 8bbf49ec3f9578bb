import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loggableUrl } from './request-log.ts';

describe('loggableUrl', () => {
  async function urlOf(path: string): Promise<ReturnType<typeof loggableUrl>> {
    const app = Fastify();
    let seen: ReturnType<typeof loggableUrl> | undefined;
    app.get('/api/v1/:pluginId/auth/callback', async (request) => ((seen = loggableUrl(request)), {}));
    app.get('/public/invoices/:id/:token', async (request) => ((seen = loggableUrl(request)), {}));
    app.setNotFoundHandler(async (request, reply) => ((seen = loggableUrl(request)), reply.code(404).send()));
    await app.inject({ method: 'GET', url: path });
    await app.close();
    return seen!;
  }

  it('replaces secret query values and keeps the others', async () => {
    const { url, params } = await urlOf('/api/v1/rich/auth/callback?code=SECRET1&state=SECRET2&lang=pl');
    expect(url).toBe('/api/v1/:pluginId/auth/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&lang=pl');
    expect(params).toEqual({ pluginId: 'rich' });
  });

  it('logs the route pattern, not a token in the path', async () => {
    const { url, params } = await urlOf('/public/invoices/0b8f/abcdefabcdefabcdefabcdefabcdefabcdef.pdf');
    expect(url).toBe('/public/invoices/:id/:token');
    expect(params).toEqual({ id: '0b8f' });
  });

  it('masks long token-like segments of unmatched paths', async () => {
    const { url } = await urlOf('/nowhere/abcdefabcdefabcdefabcdefabcdefabcdef?token=x');
    expect(url).toBe('/nowhere/[redacted]?token=%5Bredacted%5D');
  });
});
