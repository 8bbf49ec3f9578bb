import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nextWorkingDay, offlineDue, qrCodeII } from './offline.ts';

describe('KSeF offline mode', () => {
  it('the deadline is the next working day after the issue date (tryby-offline.md offline24), Polish holidays skipped', () => {
    expect(nextWorkingDay('2026-12-03')).toBe('2026-12-04'); // Thursday → Friday
    expect(nextWorkingDay('2026-12-04')).toBe('2026-12-07'); // Friday → Monday
    expect(nextWorkingDay('2026-12-23')).toBe('2026-12-28'); // 24–26 December, then Sunday
    expect(nextWorkingDay('2026-04-04')).toBe('2026-04-07'); // Easter Monday 6 April 2026
    expect(nextWorkingDay('2026-06-03')).toBe('2026-06-05'); // Corpus Christi 4 June 2026
    expect(nextWorkingDay('2026-11-10')).toBe('2026-11-12'); // Independence Day
    expect(nextWorkingDay('2025-07-08')).toBe('2025-07-09'); // the guide's own example
    expect(offlineDue('2026-12-04')).toEqual({
      by: '2026-12-07',
      warnFrom: '2026-12-04',
      timeZone: 'Europe/Warsaw',
    });
  });

  const link =
    'https://qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE';
  // kody-qr.md "Format podpisu": the link without https:// and without the signature.
  const signed = Buffer.from(link.slice('https://'.length));
  const make = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
    qrCodeII({
      qrBaseUrl: 'https://qr-test.ksef.mf.gov.pl/',
      contextNip: '1111111111',
      sellerNip: '1111111111',
      certificate: { serial: '01F20A5D352AE590', validTo: new Date(Date.now() + 86_400_000), key },
      hash: 'UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE',
    });

  it('QR code II with an ECDSA P-256 key: the link of kody-qr.md and an IEEE P1363 signature (R‖S, 64 bytes) in Base64URL', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const url = make(privateKey);
    expect(url.startsWith(`${link}/`)).toBe(true);
    const signature = Buffer.from(url.slice(link.length + 1), 'base64url');
    expect(signature).toHaveLength(64);
    expect(verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(
      verify('sha256', Buffer.from(`${link}x`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature),
    ).toBe(false);
  });

  it('QR code II with an RSA key: RSASSA-PSS, SHA-256, MGF1 SHA-256, 32-byte salt', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const url = make(privateKey);
    const signature = Buffer.from(url.slice(link.length + 1), 'base64url');
    expect(signature).toHaveLength(256);
    const pss = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(verify('sha256', signed, pss, signature)).toBe(true);
    // Not PKCS#1 v1.5.
    expect(verify('sha256', signed, publicKey, signature)).toBe(false);
  });
});
