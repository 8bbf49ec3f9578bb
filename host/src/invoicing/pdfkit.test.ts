import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// Renders a varied set of invoices (Polish, Romanian, Bulgarian, Hungarian text, ligature
// candidates, several line counts) and prints whether the shared-font path was on and a hash of
// every PDF. `PLAIN=1` loads pdfkit the ordinary way first, so nothing is shared.
const SCRIPT = `
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
const pdfTs = ${JSON.stringify(new URL('./pdf.ts', import.meta.url).pathname)};
if (process.env.PLAIN) createRequire(pdfTs)('pdfkit');
const { renderInvoicePdf } = await import(pdfTs);
const { fontCacheInstalled } = await import(${JSON.stringify(new URL('./pdfkit.ts', import.meta.url).pathname)});
const names = ['Ștefan Țărână', 'Ion Popescu', 'Иван Петров', 'Kovács Péter', 'Łukasz Żółć'];
const hash = createHash('sha256');
const langs = ['ro', 'pl', 'bg', 'hu'];
for (let i = 0; i < 60; i++) {
  const lines = Array.from({ length: 1 + (i % 4) }, (_, p) => ({
    name: 'Produs ' + names[(i + p) % 5] + ' ' + p + ' fi ffl', quantity: '1.000', unit: p % 2 ? 'kg' : null,
    unitNet: '1.0000', vatRate: '19', net: '1.00', vat: '0.19', gross: '1.19',
  }));
  const document = {
    type: 'invoice', number: 'FV/' + i, issueDate: '2026-11-20', saleDate: '2026-11-20', currency: 'RON',
    language: langs[i % 4], secondLanguage: i % 5 ? null : 'en', status: i % 3 ? 'issued' : 'paid',
    externalOrderId: String(i), payment: i % 3 ? null : { paidDate: '2026-11-21' },
    seller: { name: 'Firma SRL', taxId: 'RO1', address: { city: 'Cluj' } },
    buyer: { name: i % 4 ? names[i % 5] + i : 'Firmă ÎNTREPRINDERE', taxId: 'RO' + i,
             address: { street: 'ул. ' + i, city: 'Győr' } },
    lines, totals: { net: i + '.00', vat: '1.00', gross: i + 1 + '.00' },
  };
  hash.update(await renderInvoicePdf({ document }));
}
process.stdout.write(JSON.stringify({ shared: fontCacheInstalled, hash: hash.digest('hex') }) + '\\n');
`;

const render = async (plain: boolean) => {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    env: { ...process.env, ...(plain ? { PLAIN: '1' } : {}) },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { shared: boolean; hash: string };
};

describe('pdfkit with shared fonts', () => {
  it('renders byte for byte what plain pdfkit renders', async () => {
    const [plain, shared] = await Promise.all([render(true), render(false)]);
    expect(plain.shared).toBe(false);
    expect(shared.shared).toBe(true);
    expect(shared.hash).toBe(plain.hash);
  }, 60_000);
});
