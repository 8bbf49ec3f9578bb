import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Validation against the official XSDs (copied from the Ministry's ksef-docs, MIT, in `xsd/`):
 * FA(3) with the catalog that maps its remote imports to `bazowe/`, and UPO v4-3
 * (reference/README.md "Validating offline"). Uses xmllint (libxml2-utils).
 */
const XSD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../xsd');
export const FA3_XSD = join(XSD_DIR, 'FA', 'schemat_FA(3)_v1-0E.xsd');
export const UPO_XSD = join(XSD_DIR, 'upo', 'upo-v4-3.xsd');
const CATALOG = join(XSD_DIR, 'FA', 'catalog.xml');

export interface XsdError {
  /** `line N` of the document (xmllint's location) and the element it names. */
  location: string;
  message: string;
}

/** Every schema error of `xml` against `xsd` (empty when valid). */
export async function validateXml(xml: string, xsd: string): Promise<XsdError[]> {
  return (await validateXmlBatch([xml], xsd))[0]!;
}

/** Documents per xmllint process below which one process does them all (its start costs ~30 ms). */
const PER_PROCESS = 100;

/**
 * The same for many documents: one xmllint run per share, as many at once as there are cores
 * (a batch of a thousand took 0.48 s in one process on two cores).
 */
export async function validateXmlBatch(xmls: readonly string[], xsd: string): Promise<XsdError[][]> {
  const processes = Math.max(1, Math.min(availableParallelism(), Math.floor(xmls.length / PER_PROCESS)));
  if (processes === 1) return validateInOneRun(xmls, xsd);
  const size = Math.ceil(xmls.length / processes);
  const shares = Array.from({ length: processes }, (_, i) => xmls.slice(i * size, (i + 1) * size));
  return (await Promise.all(shares.map((share) => validateInOneRun(share, xsd)))).flat();
}

/** Many documents in one xmllint run. */
async function validateInOneRun(xmls: readonly string[], xsd: string): Promise<XsdError[][]> {
  if (xmls.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'ksef-xsd-'));
  const files = xmls.map((_, i) => join(dir, `doc${i}.xml`));
  try {
    await Promise.all(xmls.map((xml, i) => writeFile(files[i]!, xml)));
    const output = await new Promise<string>((done, fail) => {
      execFile(
        'xmllint',
        ['--noout', '--nonet', '--schema', xsd, ...files],
        { env: { ...process.env, XML_CATALOG_FILES: CATALOG }, maxBuffer: 64 * 1024 * 1024 },
        (error, _stdout, stderr) => {
          if (error && typeof error.code !== 'number')
            fail(new Error(`xmllint did not run: ${error.message}`));
          else done(stderr);
        },
      );
    });
    const errors: XsdError[][] = xmls.map(() => []);
    const valid = new Set<number>();
    for (const line of output.split('\n')) {
      // "/tmp/…/doc3.xml:1: element P_12: Schemas validity error : Element '{ns}P_12': [facet …] …"
      const m = /doc(\d+)\.xml:(\d+): (?:element (\S+): )?\S+ (?:validity|parser) error : (.*)$/.exec(line);
      if (m) {
        errors[Number(m[1])]!.push({
          location: `line ${m[2]}${m[3] ? `, element ${m[3]}` : ''}`,
          message: m[4]!.replace(/\{[^}]*\}/g, ''),
        });
        continue;
      }
      const ok = /doc(\d+)\.xml validates$/.exec(line);
      if (ok) valid.add(Number(ok[1]));
    }
    errors.forEach((list, i) => {
      if (list.length === 0 && !valid.has(i))
        list.push({ location: 'document', message: 'the XML could not be read against the schema' });
    });
    return errors;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
