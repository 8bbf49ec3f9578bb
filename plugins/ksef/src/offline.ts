import { createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { ConfigError, type ClearanceDue, type PluginContext } from '@mch/plugin-sdk';

/**
 * Offline invoicing (tryby-offline.md, kody-qr.md): when KSeF cannot be reached the invoice is
 * issued anyway, its FA(3) kept byte for byte, its visualisation carrying QR code I (labelled
 * "OFFLINE" until KSeF numbers it) and QR code II (the issuer's KSeF certificate of the Offline
 * type, labelled "CERTYFIKAT"), and it is sent with `offlineMode: true` once KSeF is back.
 */

/** A KSeF certificate of the Offline type with its private key (settings kept in the vault). */
export interface OfflineCertificate {
  /** The certificate's serial number in hex, as KSeF prints it (e.g. 01F20A5D352AE590). */
  serial: string;
  validTo: Date;
  key: KeyObject;
}

/** Reads a certificate given as PEM or as Base64 DER (how KSeF's API hands them out). */
function parseCertificate(text: string): X509Certificate {
  const trimmed = text.trim();
  return new X509Certificate(
    trimmed.includes('-----BEGIN') ? trimmed : Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'),
  );
}

/**
 * The offline certificate from the connection's settings, checked: both parts given, readable, the
 * key the certificate's own, an RSA (2048 bits at least) or P-256 key (kody-qr.md "Algorytmy
 * podpisu"), still valid. Undefined when none is set; ConfigError (in words) when it cannot be used.
 */
export async function offlineCertificate(ctx: PluginContext): Promise<OfflineCertificate | undefined> {
  const [certText, keyText] = await Promise.all([
    ctx.secrets.get('offlineCertificate'),
    ctx.secrets.get('offlineCertificateKey'),
  ]);
  if (!certText && !keyText) return undefined;
  if (!certText || !keyText)
    throw new ConfigError(
      'Only one half of the KSeF offline certificate is set: enter both the certificate and its private key, or neither.',
    );
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = parseCertificate(certText);
  } catch {
    throw new ConfigError(
      'The KSeF offline certificate cannot be read: paste the certificate from the KSeF application as PEM (-----BEGIN CERTIFICATE-----) or Base64.',
    );
  }
  try {
    key = createPrivateKey(keyText.trim());
  } catch {
    throw new ConfigError(
      'The private key of the KSeF offline certificate cannot be read: paste it unencrypted, as PEM (-----BEGIN PRIVATE KEY-----).',
    );
  }
  if (!cert.checkPrivateKey(key))
    throw new ConfigError(
      'The private key does not belong to the KSeF offline certificate: enter the key made together with that certificate’s request.',
    );
  const details = key.asymmetricKeyDetails;
  const usable =
    (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048) ||
    (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1');
  if (!usable)
    throw new ConfigError(
      'The KSeF offline certificate’s key is neither RSA of at least 2048 bits nor ECDSA P-256, the two KSeF accepts for QR code II.',
    );
  const validTo = new Date(cert.validTo);
  if (validTo.getTime() < Date.now())
    throw new ConfigError(
      `The KSeF offline certificate expired on ${validTo.toISOString().slice(0, 10)}: make a new one of the Offline type in the KSeF application and enter it with its key.`,
    );
  return { serial: cert.serialNumber.toUpperCase(), validTo, key };
}

/**
 * QR code II (kody-qr.md "KOD II"): `{qr}/certificate/{context type}/{context}/{seller NIP}/{serial}/{hash}/{signature}`,
 * the signature over that link without `https://` and the signature itself — RSASSA-PSS
 * (SHA-256, MGF1 SHA-256, 32-byte salt) or ECDSA P-256 SHA-256 as IEEE P1363 R‖S — in Base64URL.
 */
export function qrCodeII(options: {
  qrBaseUrl: string;
  contextNip: string;
  sellerNip: string;
  certificate: OfflineCertificate;
  /** SHA-256 of the FA(3) file, Base64URL. */
  hash: string;
}): string {
  const link = `${options.qrBaseUrl.replace(/\/$/, '')}/certificate/Nip/${options.contextNip}/${options.sellerNip}/${options.certificate.serial}/${options.hash}`;
  const signed = Buffer.from(link.replace(/^https?:\/\//, ''), 'utf8');
  const key = options.certificate.key;
  const signature =
    key.asymmetricKeyType === 'ec'
      ? sign('sha256', signed, { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', signed, { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 });
  return `${link}/${signature.toString('base64url')}`;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** Easter Sunday (Meeus/Jones/Butcher Gregorian computus), UTC. */
function easter(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

/**
 * Polish public holidays (ustawa o dniach wolnych od pracy, with 24 December from 2025): the fixed
 * ones, Easter Monday and Corpus Christi (Easter Sunday and Pentecost fall on Sundays anyway).
 */
export function isPolishHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  const fixed = ['01-01', '01-06', '05-01', '05-03', '08-15', '11-01', '11-11', '12-25', '12-26'];
  if (year >= 2025) fixed.push('12-24');
  if (fixed.includes(date.slice(5))) return true;
  const e = easter(year).getTime();
  return [1, 60].some((days) => iso(new Date(e + days * 86_400_000)) === date);
}

/** The first working day (not Saturday, Sunday or a public holiday) after `date` (YYYY-MM-DD). */
export function nextWorkingDay(date: string): string {
  let d = new Date(`${date}T00:00:00Z`);
  for (;;) {
    d = new Date(d.getTime() + 86_400_000);
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6 && !isPolishHoliday(iso(d))) return iso(d);
  }
}

/**
 * When an invoice issued offline must be in KSeF (tryby-offline.md): offline24 — the next working
 * day after its issue date. A KSeF outage announced by the Ministry ("offline" mode) allows until
 * the working day after the outage ends, later still, so this deadline holds in both; shown from
 * the issue day on, since it is never more than a few days away.
 */
export function offlineDue(issueDate: string): ClearanceDue {
  return { by: nextWorkingDay(issueDate), warnFrom: issueDate, timeZone: 'Europe/Warsaw' };
}
