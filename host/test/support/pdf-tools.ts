import { spawn } from 'node:child_process';
import { crc32, deflateSync } from 'node:zlib';

/** A valid RGB PNG of `size`×`size` pixels, every pixel `shade`. */
export function png(size = 4, shade = 0x33): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, shade)]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The PDF's text layer as poppler's `pdftotext` reads it (Debian's poppler-utils). */
export async function pdftotext(pdf: Buffer): Promise<string> {
  const child = spawn('pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-']);
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pdftotext exited ${code}`))));
  });
  child.stdin.end(pdf);
  await done;
  return Buffer.concat(out).toString('utf8');
}
