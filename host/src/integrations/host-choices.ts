import {
  hostChoiceSettings,
  SettingsErrorCode,
  unknownHostChoices,
  withHostChoices,
  type HostChoice,
  type HostChoiceList,
} from '@mch/schemas';
import type { SqlPool } from '../db/orm.ts';
import { invalidInput } from '../errors.ts';
import { InvoiceTemplates } from '../invoicing/invoice-templates.ts';

type Choices = Partial<Record<HostChoiceList, HostChoice[]>>;

/** What a tenant (and an integration's company, when it has one) may pick in each list. */
async function listChoices(list: HostChoiceList, sql: SqlPool, scope: Scope): Promise<HostChoice[]> {
  switch (list) {
    case 'invoiceTemplates':
      return new InvoiceTemplates(sql).choices(scope);
  }
}

interface Scope {
  tenantId: string;
  companyId?: string | null;
}

/** The lists a settings schema's host-choice settings name, resolved for `scope`. */
export async function resolveHostChoices(sql: SqlPool, schema: object, scope: Scope): Promise<Choices> {
  const choices: Choices = {};
  for (const list of new Set(hostChoiceSettings(schema).values())) {
    choices[list] = await listChoices(list, sql, scope);
  }
  return choices;
}

/** The settings schema as served to `scope`: host-choice settings become selects of their lists. */
export async function schemaForTenant<T extends object>(sql: SqlPool, schema: T, scope: Scope): Promise<T> {
  if (hostChoiceSettings(schema).size === 0) return schema;
  return withHostChoices(schema, await resolveHostChoices(sql, schema, scope));
}

const WHAT: Record<HostChoiceList, string> = { invoiceTemplates: 'invoice templates' };

/**
 * Refuses a host-choice setting whose value is not one of `scope`'s records, naming the field.
 * Settings unchanged from `previous` are not checked again (a record removed later must not
 * block saving other settings).
 */
export async function assertHostChoices(input: {
  sql: SqlPool;
  schema: object;
  scope: Scope;
  settings: Record<string, unknown>;
  previous?: Record<string, unknown>;
}): Promise<void> {
  const changed = Object.fromEntries(
    Object.entries(input.settings).filter(
      ([name, value]) => JSON.stringify(value) !== JSON.stringify(input.previous?.[name]),
    ),
  );
  if (hostChoiceSettings(input.schema).size === 0) return;
  const wrong = unknownHostChoices(
    input.schema,
    changed,
    await resolveHostChoices(input.sql, input.schema, input.scope),
  );
  if (wrong.length === 0) return;
  throw invalidInput(
    `The settings name records that do not exist; nothing was saved.`,
    wrong.map((w) => ({
      path: `/settings/${w.setting}`,
      code: SettingsErrorCode.NOT_ALLOWED,
      message:
        w.allowed.length === 0
          ? `${JSON.stringify(w.value)} is not one of your ${WHAT[w.list]}, and there are none yet; create one first or leave it empty`
          : `${JSON.stringify(w.value)} is not one of your ${WHAT[w.list]}; choose one of: ${w.allowed.map((a) => `${a.label} = ${a.value}`).join(', ')}`,
    })),
  );
}
