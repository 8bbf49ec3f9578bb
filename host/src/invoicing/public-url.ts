import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Unguessable, stable links to invoice PDFs for marketplaces that download them (eMAG's
 * `order/attachments/save` takes a URL). The token is an HMAC of the invoice id under a key
 * derived from the master key, so nothing is stored, a retried upload sends the same URL, and
 * rotating the master key revokes every link.
 */
export function createInvoiceLinkSigner(options: { masterKey: Buffer; publicUrl: string }) {
  const key = Buffer.from(hkdfSync('sha256', options.masterKey, Buffer.alloc(0), 'invoice-public-links', 32));
  const tokenFor = (invoiceId: string) => createHmac('sha256', key).update(invoiceId).digest('base64url');
  return {
    url(invoiceId: string): string {
      return `${options.publicUrl.replace(/\/$/, '')}/public/invoices/${invoiceId}/${tokenFor(invoiceId)}.pdf`;
    },
    verify(invoiceId: string, token: string): boolean {
      const expected = Buffer.from(tokenFor(invoiceId));
      const given = Buffer.from(token);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
export type InvoiceLinkSigner = ReturnType<typeof createInvoiceLinkSigner>;
