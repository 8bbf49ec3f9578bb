import { ConfigError, definePlugin, type Hook, type JobInput, type JobOutput } from '@mch/plugin-sdk';
import { reportDocuments as reportPass, type DocumentsPort } from './report.ts';
import type { Corrections } from './ubl.ts';

interface Settings {
  cif: string;
  environment: string;
  /** Absent in integrations saved before the setting existed: the manifest's default applies. */
  corrections?: Corrections;
}

/**
 * RO e-Factura: the company's issued documents (manifest `documents`) reported to ANAF's SPV.
 * One job, run on every issue and each minute: answers for what was sent, then new documents.
 */
const reportDocuments: Hook<JobInput, JobOutput, Settings> = async (ctx) => {
  const documents = (ctx as { documents?: DocumentsPort }).documents;
  if (!documents)
    throw new ConfigError('RO e-Factura works on the company’s documents, but none were given to it.');
  const counts = await reportPass({
    http: ctx.http,
    store: ctx.store,
    log: ctx.log,
    documents,
    cif: ctx.settings.cif.replace(/^RO/i, ''),
    corrections: ctx.settings.corrections === 'storno' ? 'storno' : 'credit-note',
    ...(ctx.config.EFACTURA_RECONCILE_AFTER_MS
      ? { reconcileAfterMs: Number(ctx.config.EFACTURA_RECONCILE_AFTER_MS) }
      : {}),
  });
  return { counts: { ...counts } };
};

export default definePlugin({ hooks: { reportDocuments } });

export { toUbl, CIUS_RO_CUSTOMIZATION_ID } from './ubl.ts';
export { validate, validateBatch } from './validate.ts';
export { reportingDeadline, reportingDue, deadlineState } from './working-days.ts';
