const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A date for people; `—` when there is none. */
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? '—' : dateTime.format(date);
}

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** A calendar date (`YYYY-MM-DD`, e.g. a document's issue date) for people, whatever the time zone. */
export function formatDay(value: string | null | undefined): string {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return value || '—';
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? value : day.format(date);
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * An amount with its currency, exactly as the host wrote it: amounts are decimal strings, and
 * going through `Number` would round them (a HUF invoice's "636277.47" would show as 636,277). Intl
 * formats a decimal string exactly (ECMA-402 `Intl.NumberFormat` v3), showing at least the
 * currency's usual decimals and every decimal the amount has.
 */
export function formatMoney(
  amount: string | number | null | undefined,
  currency: string | null | undefined,
): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const text = typeof amount === 'number' ? String(amount) : amount.trim();
  if (!DECIMAL.test(text)) return `${text} ${currency ?? ''}`.trim();
  const decimals = Math.min(20, text.split('.')[1]?.length ?? 0);
  try {
    const style = currency ? { style: 'currency' as const, currency } : {};
    const usual = new Intl.NumberFormat(undefined, style).resolvedOptions().minimumFractionDigits ?? 2;
    return new Intl.NumberFormat(undefined, {
      ...style,
      minimumFractionDigits: usual,
      maximumFractionDigits: Math.max(usual, decimals),
    }).format(text as `${number}`);
  } catch {
    // A currency code Intl does not know: the amount as written, then the code.
    return `${text} ${currency ?? ''}`.trim();
  }
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "snake_case" / "camelCase" status words as a label: "needs_reauth" → "Needs reauth". */
export function humanize(word: string | null | undefined): string {
  if (!word) return '—';
  const spaced = word
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A count as people read it: "10,001". */
export const formatCount = (n: number) => new Intl.NumberFormat('en-US').format(n);

/** The host's payment-method keys (the invoice PDF's too) in words; free text stays as written. */
const PAYMENT_METHODS: Record<string, string> = {
  transfer: 'bank transfer',
  card: 'card',
  cash: 'cash',
  cod: 'cash on delivery',
  online: 'paid online',
};

export function paymentMethodText(method: string): string {
  return PAYMENT_METHODS[method] ?? method;
}
