import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The Ministry's public-key certificates (`GET /security/public-key-certificates`, open-api.json
 * `PublicKeyCertificate`): one for KSeF-token encryption and one for the session's symmetric key,
 * each an RSA key in an X.509 certificate (DER, Base64). The sandbox makes its own self-signed
 * pair at start with openssl (Node cannot issue certificates itself) and keeps the private keys to
 * decrypt what clients send (uwierzytelnianie.md, sesja-interaktywna.md "Szyfrowanie").
 */
export interface SandboxKey {
  usage: 'KsefTokenEncryption' | 'SymmetricKeyEncryption';
  certificate: string;
  certificateId: string;
  publicKeyId: string;
  validFrom: string;
  validTo: string;
  privateKey: KeyObject;
}

/**
 * A self-signed X.509 certificate and its key made by openssl (Node cannot issue certificates):
 * `key` is `-newkey`'s argument, `extra` any further `openssl req` options.
 */
function selfSigned(options: { key: string; subject: string; days: number; extra?: string[] }): {
  x509: X509Certificate;
  keyPem: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'ksef-sandbox-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', options.key, ...(options.extra ?? []), '-nodes', '-keyout', keyFile].concat(
        ['-out', certFile, '-subj', options.subject, '-days', String(options.days)],
      ),
      { stdio: 'ignore' },
    );
    return { x509: new X509Certificate(readFileSync(certFile)), keyPem: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function makeKey(usage: SandboxKey['usage']): SandboxKey {
  const { x509: cert, keyPem } = selfSigned({
    key: 'rsa:2048',
    subject: `/CN=KSeF sandbox ${usage}`,
    days: 730,
  });
  const der = cert.raw;
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return {
    usage,
    certificate: der.toString('base64'),
    certificateId: createHash('sha256').update(der).digest('base64'),
    publicKeyId: createHash('sha256').update(spki).digest('base64'),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    privateKey: createPrivateKey(keyPem),
  };
}

export function makeKeys(): { token: SandboxKey; symmetric: SandboxKey } {
  return { token: makeKey('KsefTokenEncryption'), symmetric: makeKey('SymmetricKeyEncryption') };
}

/** A KSeF certificate the sandbox issued (certyfikaty-KSeF.md), as `GET /certificates/retrieve` gives it. */
export interface IssuedCertificate {
  /** Serial number in hex (`certificateSerialNumber`, e.g. 01F20A5D352AE590). */
  serialNumber: string;
  type: 'Authentication' | 'Offline';
  /** The NIP the certificate identifies (its organizationIdentifier VATPL-…). */
  nip: string;
  /** DER, Base64. */
  certificate: string;
  /** Unencrypted PKCS#8 PEM: what the taxpayer keeps from the request (the sandbox hands it out). */
  privateKey: string;
  validFrom: string;
  validTo: string;
  x509: X509Certificate;
}

/**
 * A KSeF certificate for `nip` (certyfikaty-KSeF.md: type Offline → keyUsage Non-Repudiation,
 * Authentication → Digital Signature; RSA 2048 or ECDSA P-256, kody-qr.md "Algorytmy podpisu").
 * KSeF issues it on a CSR after an XAdES sign-in, which a KSeF token cannot do; the sandbox makes
 * the key and the certificate itself, with openssl, as the KSeF application would hand them over.
 */
export function makeKsefCertificate(options: {
  nip: string;
  type?: 'Authentication' | 'Offline';
  keyType?: 'ec' | 'rsa';
  days?: number;
}): IssuedCertificate {
  const type = options.type ?? 'Offline';
  // Eight bytes, the first nibble not zero (as KSeF's, e.g. 01F20A5D352AE590 in kody-qr.md).
  const serial = `0x1${randomBytes(8).toString('hex').slice(1)}`;
  const { x509, keyPem } = selfSigned({
    key: options.keyType === 'rsa' ? 'rsa:2048' : 'ec',
    subject: `/CN=KSeF ${type} ${options.nip}/organizationIdentifier=VATPL-${options.nip}/C=PL`,
    days: options.days ?? 730,
    extra: [
      ...(options.keyType === 'rsa' ? [] : ['-pkeyopt', 'ec_paramgen_curve:prime256v1']),
      '-set_serial',
      serial,
      '-addext',
      `keyUsage=critical,${type === 'Offline' ? 'nonRepudiation' : 'digitalSignature'}`,
    ],
  });
  return {
    serialNumber: x509.serialNumber.toUpperCase(),
    type,
    nip: options.nip,
    certificate: x509.raw.toString('base64'),
    privateKey: keyPem,
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    x509,
  };
}
