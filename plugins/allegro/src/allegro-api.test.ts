import { describe, expect, it } from 'vitest';
import type { HttpRequest, HttpResponse, PluginContext } from '@mch/plugin-sdk';
import { allegro, allegroActionInWords, describeAllegroError } from './allegro-api.ts';

function answer(status: number, body: unknown): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers: {}, body: text, json: <T>() => JSON.parse(text) as T };
}

/** A context whose HTTP client answers `response` and whose log keeps what it was told. */
function contextAnswering(response: HttpResponse) {
  const logged: object[] = [];
  const ctx = {
    http: { request: async (_: HttpRequest) => response },
    log: { warn: (obj: object) => logged.push(obj), info() {}, error() {}, debug() {} },
  } as unknown as PluginContext;
  return { ctx, logged };
}

describe('Allegro errors in words (issue 13)', () => {
  it('names each call the plugin makes by what it does, never by its path', () => {
    expect(allegroActionInWords('/order/checkout-forms')).toBe('reading orders');
    expect(allegroActionInWords('/order/checkout-forms/29738e61-7f6a-11e8-ac45-09db60ede9d6')).toBe(
      'reading an order',
    );
    expect(allegroActionInWords('/order/checkout-forms/abc/invoices')).toBe("reading an order's invoices");
    expect(allegroActionInWords('/order/checkout-forms/abc/invoices/def/file')).toBe(
      "uploading an invoice's PDF",
    );
    expect(allegroActionInWords('/order/events')).toBe('reading order events');
    expect(allegroActionInWords('/order/customer-returns/r-1')).toBe('reading customer returns');
    expect(allegroActionInWords('/sale/offers')).toBe("working with the account's Allegro data");
  });

  it("gives Allegro's own words for a person, else what the answer means, never a status or a code", () => {
    expect(
      describeAllegroError(
        answer(422, {
          errors: [{ code: 'VALIDATION_ERROR', message: 'tech', userMessage: 'Za duża ilość.' }],
        }),
      ),
    ).toBe('Za duża ilość');
    expect(describeAllegroError(answer(401, { error: 'invalid_token', error_description: 'expired' }))).toBe(
      'expired',
    );
    expect(describeAllegroError(answer(503, '<html>Service Unavailable</html>'))).toBe(
      'Allegro had a problem on its side',
    );
    expect(describeAllegroError(answer(418, ''))).toBe('Allegro gave no reason');
  });

  it('fails a read in words, logging the call and its status for whoever runs the host', async () => {
    const { ctx, logged } = contextAnswering(answer(503, '<html>Service Unavailable</html>'));
    const error = await allegro(ctx, { path: '/order/checkout-forms', query: { limit: 100 } }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'Allegro could not answer while reading orders: Allegro had a problem on its side. Nothing was changed.',
    );
    expect((error as Error).message).not.toMatch(/503|\/order|GET/);
    expect(logged).toEqual([{ method: 'GET', path: '/order/checkout-forms', status: 503 }]);

    const refused = await allegro(contextAnswering(answer(403, {})).ctx, { path: '/me' }).catch(
      (e: unknown) => e as Error,
    );
    expect((refused as Error).message).toBe(
      'Allegro refused access while reading the account: the account may not do this. Reconnect the Allegro account.',
    );
  });
});
