import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
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

function makeKey(usage: SandboxKey['usage']): SandboxKey {
  const dir = mkdtempSync(join(tmpdir(), 'ksef-sandbox-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
        '-subj', `/CN=KSeF sandbox ${usage}`, '-days', '730'],
      { stdio: 'ignore' },
    );
    const cert = new X509Certificate(readFileSync(join(dir, 'cert.pem')));
    const der = cert.raw;
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    return {
      usage,
      certificate: der.toString('base64'),
      certificateId: createHash('sha256').update(der).digest('base64'),
      publicKeyId: createHash('sha256').update(spki).digest('base64'),
      validFrom: new Date(cert.validFrom).toISOString(),
      validTo: new Date(cert.validTo).toISOString(),
      privateKey: createPrivateKey(readFileSync(join(dir, 'key.pem'))),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function makeKeys(): { token: SandboxKey; symmetric: SandboxKey } {
  return { token: makeKey('KsefTokenEncryption'), symmetric: makeKey('SymmetricKeyEncryption') };
}
