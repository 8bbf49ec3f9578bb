import { describe, expect, it } from 'vitest';
import { buildFa3 } from './fa3.ts';
import { sampleClearanceDocument, sampleDocument, sampleForeignDocument } from './sample-documents.ts';
import { FA3_XSD, validateXml, validateXmlBatch } from './xsd.ts';

describe('FA(3) from the frozen document', () => {
  it('makes an invoice, a foreign-currency invoice and a KOR correction valid against the official XSD', async () => {
    const invoice = buildFa3(sampleClearanceDocument('a'));
    const foreign = buildFa3(sampleClearanceDocument('b', sampleForeignDocument()));
    const consumer = buildFa3(
      sampleClearanceDocument(
        'c',
        sampleDocument({ buyer: { name: 'Anna Nowak', kind: 'consumer', taxIds: [], address: null } }),
      ),
    );
    const correction = buildFa3(
      sampleClearanceDocument(
        'd',
        sampleDocument({
          type: 'correction',
          number: 'KOR/2026/12/1',
          corrects: 'a',
          lines: [{ ...sampleDocument().lines[0]!, quantity: '-1', net: '-16.26', vat: '-3.74', gross: '-20.00' }],
          vatSummary: [{ vatRate: '23.00', net: '-16.26', vat: '-3.74', gross: '-20.00' }],
          totals: { net: '-16.26', vat: '-3.74', gross: '-20.00' },
        }),
        { id: 'a', number: 'FV/2026/12/7', issueDate: '2026-12-03', clearanceNumber: '5265877635-20261203-0100001AF629-AF' },
      ),
    );
    expect(await validateXmlBatch([invoice, foreign, consumer, correction], FA3_XSD)).toEqual([[], [], [], []]);
    expect(invoice).toContain('<P_13_1>32.52</P_13_1><P_14_1>7.48</P_14_1><P_13_3>47.62</P_13_3>');
    expect(invoice).toContain('Kowalski &amp; Syn &lt;Hurt&gt;');
    expect(foreign).toContain('<KodWaluty>EUR</KodWaluty>');
    expect(foreign).toContain('<P_14_1W>97.06</P_14_1W>');
    expect(foreign).toContain('<KursWaluty>4.22</KursWaluty>');
    expect(consumer).toContain('<BrakID>1</BrakID>');
    expect(correction).toContain('<RodzajFaktury>KOR</RodzajFaktury>');
    expect(correction).toContain(
      '<NrKSeF>1</NrKSeF><NrKSeFFaKorygowanej>5265877635-20261203-0100001AF629-AF</NrKSeFFaKorygowanej>',
    );
  });

  it('reports a document the XSD refuses with the line and element at fault', async () => {
    const bad = buildFa3(sampleClearanceDocument('a')).replace('<P_2>FV/2026/12/7</P_2>', '<P_2></P_2>');
    const errors = await validateXml(bad, FA3_XSD);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.location).toMatch(/^line \d+, element P_2$/);
    expect(errors[0]!.message).toContain('P_2');
  });

  it('refuses a VAT rate FA(3) has no code for, naming it', () => {
    const doc = sampleDocument();
    doc.lines[0]!.vatRate = '19.00';
    expect(() => buildFa3(sampleClearanceDocument('a', doc))).toThrow(/VAT rate 19.00 % has no FA\(3\) code/);
  });
});
