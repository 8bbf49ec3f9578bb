import type {
  ClearanceDocument,
  ClearanceOutcome,
  ClearanceResult,
  ClearanceState,
  PluginDocuments,
  PluginOutbound,
} from '@mch/plugin-sdk';
import type { Documents } from '@mch/schemas';
import type { SqlPool } from '../../db/orm.ts';
import { validDue } from '../../invoicing/clearance-due.ts';

/** The outbound-ledger kind a document is handed over under (key: the invoice id). */
export const CLEARANCE_OPERATION = 'clearance';

interface Row {
  id: string;
  type: 'invoice' | 'correction';
  number: string;
  issue_date: string;
  document: ClearanceDocument['document'];
  clearance: ClearanceState | null;
  c_id: string | null;
  c_number: string | null;
  c_issue_date: string | null;
  c_clearance_number: string | null;
}

const COLUMNS = `i.id, i.type, i.number, i.issue_date, i.document, i.clearance,
  c.id as c_id, c.number as c_number, c.issue_date as c_issue_date, c.clearance ->> 'number' as c_clearance_number`;

/** The company's documents this plugin takes ($1 tenant, $2 company, $3 types, $4 seller countries). */
const SCOPE = `i.tenant_id = $1 and i.company_id = $2 and i.document is not null and i.type = any($3::text[])
  and ($4::text[] is null or i.document -> 'seller' -> 'address' ->> 'country' = any($4::text[]))`;

const toDocument = (r: Row): ClearanceDocument => ({
  id: r.id,
  type: r.type,
  number: r.number,
  issueDate: r.issue_date,
  document: r.document,
  corrected: r.c_id
    ? {
        id: r.c_id,
        number: r.c_number ?? '',
        issueDate: r.c_issue_date ?? '',
        clearanceNumber: r.c_clearance_number,
      }
    : null,
  clearance: r.clearance,
});

/** What is stored of a result: the state on the invoice, the files beside it. */
export function clearanceState(
  authority: { id: string; title: string },
  result: ClearanceResult,
): Record<string, unknown> {
  const due = validDue(result.due);
  return {
    authority: authority.id,
    authorityTitle: authority.title,
    status: result.status,
    number: result.number ?? null,
    errors: result.errors ?? [],
    ...(result.reference ? { reference: result.reference } : {}),
    ...(due ? { due } : {}),
    ...(result.qr ? { qr: result.qr } : {}),
    ...(result.qrCodes?.length ? { qrCodes: result.qrCodes } : {}),
    updatedAt: new Date().toISOString(),
  };
}

/** Terminal results: never handed over again (held with errors, rejected). */
const isFinalRefusal = (result: ClearanceResult) =>
  result.status === 'rejected' || (result.status === 'pending' && (result.errors?.length ?? 0) > 0);

/**
 * `ctx.documents` for a plugin with a manifest `documents` section, connected for one company:
 * the company's issued documents (from every integration of it), each handed over once through the
 * outbound ledger (`outbound.batch`, kind `clearance`), the result stored on the invoice.
 */
export function createPluginDocuments(options: {
  pool: SqlPool;
  tenantId: string;
  integrationId: string;
  companyId: string;
  spec: Documents;
  outbound: PluginOutbound;
  /** A claim left `running` this long by a process that died is the ledger's to take over. */
  staleAfterMs?: number;
}): PluginDocuments {
  const { pool, tenantId, integrationId, companyId, spec, outbound } = options;
  const scope = [tenantId, companyId, spec.consumes, spec.sellerCountries ?? null];

  /**
   * Stores results: the state on each invoice, the files beside it — one statement for the states
   * and one for the files, however many documents (a batch session answers a thousand at once).
   */
  const store = async (results: Readonly<Record<string, ClearanceResult>>) => {
    const entries = Object.entries(results);
    if (entries.length === 0) return;
    const authority = { id: spec.authority, title: spec.title };
    const states = pool.query(
      `update invoices i set clearance = v.clearance, updated_at = clock_timestamp()
         from jsonb_to_recordset($2::jsonb) as v(id uuid, clearance jsonb)
        where i.id = v.id and i.tenant_id = $1`,
      [tenantId, JSON.stringify(entries.map(([id, r]) => ({ id, clearance: clearanceState(authority, r) })))],
    );
    const files = entries.flatMap(([id, result]) => [
      ...(result.xml
        ? [{ id, kind: 'xml', name: `${id}.xml`, type: 'application/xml', content: result.xml }]
        : []),
      ...(result.receipt
        ? [
            {
              id,
              kind: 'receipt',
              name: result.receipt.fileName,
              type: result.receipt.mediaType,
              content: result.receipt.content,
            },
          ]
        : []),
    ]);
    // The files go in beside the states, on another connection (a thousand of each at once), as
    // arrays: megabytes of XML are not escaped into JSON and parsed back.
    await Promise.all([
      states,
      files.length > 0 &&
        pool.query(
          `insert into invoice_clearance_files (invoice_id, kind, tenant_id, file_name, media_type, content)
           select v.invoice_id, v.kind, $1, v.file_name, v.media_type, v.content
             from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
                    as v(invoice_id, kind, file_name, media_type, content)
             -- only this tenant's invoices (a plugin cannot attach files to another tenant's)
            where exists (select 1 from invoices i where i.id = v.invoice_id and i.tenant_id = $1)
           on conflict (invoice_id, kind) do update
              set file_name = excluded.file_name, media_type = excluded.media_type, content = excluded.content,
                  created_at = now()`,
          [
            tenantId,
            files.map((f) => f.id),
            files.map((f) => f.kind),
            files.map((f) => f.name),
            files.map((f) => f.type),
            files.map((f) => f.content),
          ],
        ),
    ]);
  };

  return {
    companyId,

    async pending(limit) {
      // A correction waits for the document it corrects while that one is on its way (issued
      // after the plugin was connected and not yet answered), so it can cite its number.
      const { rows } = await pool.query<Row>(
        `select ${COLUMNS}
           from invoices i left join invoices c on c.id = i.corrects
          where ${SCOPE}
            and (i.clearance is null or i.clearance ->> 'status' = 'pending')
            and i.created_at >= (select created_at from integrations where id = $5)
            and not exists (select 1 from outbound_operations o
                             where o.integration_id = $5 and o.kind = '${CLEARANCE_OPERATION}'
                               and o.idempotency_key = i.id::text
                               and (o.status in ('succeeded', 'dead')
                                    -- A claim still being worked on; one a killed process left
                                    -- behind is offered again once stale (the ledger takes it over).
                                    or (o.status = 'running'
                                        and o.updated_at >= clock_timestamp() - make_interval(secs => $7))))
            and (c.id is null or c.clearance ->> 'status' in ('accepted', 'not-required', 'rejected')
                 or (c.clearance is null and c.created_at < (select created_at from integrations where id = $5)))
          order by i.created_at, i.sequence
          limit $6`,
        [...scope, integrationId, limit, (options.staleAfterMs ?? 120_000) / 1000],
      );
      return rows.map(toDocument);
    },

    async awaiting(limit) {
      const { rows } = await pool.query<Row>(
        `select ${COLUMNS}
           from invoices i left join invoices c on c.id = i.corrects
          where ${SCOPE} and i.clearance ->> 'authority' = $5 and i.clearance ->> 'status' in ('sent', 'offline')
          order by i.created_at, i.sequence
          limit $6`,
        [...scope, spec.authority, limit],
      );
      return rows.map(toDocument);
    },

    async submit(documents, fn) {
      if (documents.length === 0) return [];
      const byId = new Map(documents.map((d) => [d.id, d]));
      let results: Record<string, ClearanceResult> = {};
      const outcomes = await outbound.batch(
        documents.map((d) => ({ kind: CLEARANCE_OPERATION, key: d.id, payload: { number: d.number } })),
        async (claimed) => {
          results = await fn(claimed.map((op) => byId.get(op.key)!));
          // Stored before the ledger marks the hand-over done: a crash in between hands the
          // document over again, and the plugin recognises the authority's duplicate answer.
          await store(
            Object.fromEntries(
              claimed.flatMap((op) => (results[op.key] ? [[op.key, results[op.key]!] as const] : [])),
            ),
          );
          // The results live on the invoices; a ledger row keeps only its state (`batch` stores
          // one response on every row it claimed: a map of all results was a thousand times the
          // data on a batch session of a thousand — 1.2 s of the benchmark's 3.4 s).
          return null;
        },
      );
      const answered: ClearanceOutcome[] = [];
      /** Ledger rows to set apart from `batch`'s one outcome: [key, status, error]. */
      const apart: [string, 'dead' | 'failed', string][] = [];
      for (const outcome of outcomes) {
        if (outcome.status !== 'done') {
          answered.push(
            outcome.status === 'failed'
              ? { id: outcome.key, status: 'failed', error: outcome.error }
              : { id: outcome.key, status: outcome.status },
          );
          continue;
        }
        const result = results[outcome.key];
        // `batch` records one outcome for all it claimed; a document without a result is handed
        // over again, a held or rejected one never (its errors are shown on it).
        if (!result || isFinalRefusal(result))
          apart.push(
            result
              ? [
                  outcome.key,
                  'dead',
                  (result.errors ?? [])
                    .map((e) => e.message)
                    .join('; ')
                    .slice(0, 2000) || result.status,
                ]
              : [
                  outcome.key,
                  'failed',
                  'the plugin gave no result for this document; it is handed over again',
                ],
          );
        answered.push(
          result
            ? { id: outcome.key, status: 'done', result }
            : { id: outcome.key, status: 'failed', error: new Error('no result for this document') },
        );
      }
      // One statement for all of them (one per document was 0.6 s for a thousand handed back).
      if (apart.length > 0)
        await pool.query(
          `update outbound_operations o set status = v.status, last_error = v.error, updated_at = clock_timestamp()
             from unnest($2::text[], $3::text[], $4::text[]) as v(key, status, error)
            where o.integration_id = $1 and o.kind = '${CLEARANCE_OPERATION}' and o.idempotency_key = v.key`,
          [integrationId, apart.map((a) => a[0]), apart.map((a) => a[1]), apart.map((a) => a[2])],
        );
      return answered;
    },

    async record(documentId, result) {
      await store({ [documentId]: result });
    },

    async recordAll(results) {
      await store(results);
    },
  };
}
