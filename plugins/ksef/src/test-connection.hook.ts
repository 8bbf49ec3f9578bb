import {
  isPluginError,
  PluginErrorCode,
  type PluginContext,
  type TestConnectionOutput,
} from '@mch/plugin-sdk';
import { KsefClient } from './ksef-client.ts';
import { offlineCertificate } from './offline.ts';

/** Where the company's NIP is kept once a run has seen it (the connection test signs in for it). */
export const NIP_KEY = 'nip';

/**
 * The NIP a KSeF token signs in for: the company's, from its documents or the last run; else the
 * one a KSeF token names (`…|nip-1234567890|…`, the form KSeF issues them in, tokeny-ksef.md).
 */
async function companyNip(ctx: PluginContext): Promise<string | undefined> {
  const docs = ctx.documents
    ? [...(await ctx.documents.awaiting(1)), ...(await ctx.documents.pending(1))]
    : [];
  const fromDocs = docs[0]?.document.seller.taxId.replace(/\D/g, '').slice(-10);
  if (fromDocs?.length === 10) return fromDocs;
  const stored = await ctx.store.get<string>(NIP_KEY);
  if (stored) return stored;
  const token = await ctx.secrets.get('ksefToken');
  return /\|nip-(\d{10})\|/.exec(token ?? '')?.[1];
}

/**
 * `auth.testHook`: signs in with the KSeF token (uwierzytelnianie.md) when it is saved, so a wrong
 * one is refused at once and a corrected one brings a connection waiting for it back to work.
 */
export async function testConnection(ctx: PluginContext): Promise<TestConnectionOutput> {
  // An offline certificate that cannot sign QR code II is refused with the reason, in words.
  try {
    await offlineCertificate(ctx);
  } catch (error) {
    if (isPluginError(error) && error.code === PluginErrorCode.CONFIG)
      return { ok: false, message: error.message, details: { reason: 'offline-certificate' } };
    throw error;
  }
  const nip = await companyNip(ctx);
  if (!nip)
    return {
      ok: false,
      retryable: true,
      message:
        'The KSeF token is kept. KSeF checks it when the company’s first invoice is sent (it is tied to the seller’s NIP on the invoices).',
    };
  try {
    await new KsefClient(ctx).signIn(nip);
    return { ok: true, message: `KSeF accepted the KSeF token for NIP ${nip}.`, details: { nip } };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (isPluginError(error) && error.code === PluginErrorCode.AUTH)
      return { ok: false, message: text, details: { nip, reason: 'token' } };
    return {
      ok: false,
      retryable: true,
      message: `KSeF could not check the token just now (${text}); it is kept and used when invoices are sent.`,
      details: { nip, reason: 'unavailable' },
    };
  }
}
