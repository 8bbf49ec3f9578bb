import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The official validation of a RO e-Factura document, as reference/README.md "Validating offline"
 * describes it: the OASIS UBL 2.1 XSD (xmllint, libxml2) and the Ministry of Finance's CIUS-RO 1.0.9
 * Schematron compiled to XSLT 2.0 (`EN16931-CIUS_RO-UBL-validation.xslt`, EN 16931 + CIUS-RO rules)
 * run by Saxon-HE; every `svrl:failed-assert` / `svrl:successful-report` flagged `fatal` is an
 * error, `warning` is not. The artefacts are copied unchanged into `../artefacts/`.
 *
 * Saxon starts a JVM and compiles the 17 000-line stylesheet once per call (seconds), so callers
 * validate documents in batches: one call, one JVM, any number of documents.
 */

const ARTEFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../artefacts');
export const SCHEMATRON_XSLT = join(ARTEFACTS, 'EN16931-CIUS_RO-UBL-validation.xslt');
export const XSD = {
  Invoice: join(ARTEFACTS, 'ubl-2.1-xsd/maindoc/UBL-Invoice-2.1.xsd'),
  CreditNote: join(ARTEFACTS, 'ubl-2.1-xsd/maindoc/UBL-CreditNote-2.1.xsd'),
};
/** Debian's libsaxonhe-java; `SAXON_JAR` points elsewhere. */
const SAXON_JARS = ['/usr/share/java/Saxon-HE.jar', '/usr/share/java/saxon9he.jar'];

export interface RuleViolation {
  /** The rule id: `BR-RO-110`, `BR-CO-10`, … or `XSD` for a schema error. */
  rule: string;
  /** `fatal` (an error) or `warning`. */
  flag: 'fatal' | 'warning';
  /** The rule's own text (Romanian, then English after `#`, as the Ministry wrote it). */
  message: string;
  /** XPath (Schematron) or line (XSD) of the offending element. */
  location?: string;
}

export interface ValidationResult {
  ok: boolean;
  /** Fatal violations: the document must not be uploaded. */
  errors: RuleViolation[];
  warnings: RuleViolation[];
}

export class ValidatorUnavailableError extends Error {}

function saxonJar(): string {
  const candidates = process.env.SAXON_JAR ? [process.env.SAXON_JAR] : SAXON_JARS;
  const jar = candidates.find((p) => existsSync(p));
  if (!jar)
    throw new ValidatorUnavailableError(
      'The CIUS-RO validator needs Saxon-HE: install it (apt-get install libsaxonhe-java) or set SAXON_JAR.',
    );
  return jar;
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        fail(
          error.code === 'ENOENT'
            ? new ValidatorUnavailableError(`${cmd} is not installed; the e-Factura validator needs it.`)
            : error,
        );
        return;
      }
      done({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

const rootOf = (xml: string): 'Invoice' | 'CreditNote' | null => {
  const m = /<(?:[A-Za-z_][\w.-]*:)?(Invoice|CreditNote)[\s>]/.exec(xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''));
  return m ? (m[1] as 'Invoice' | 'CreditNote') : null;
};

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The fatal and warning results of one SVRL report. */
export function parseSvrl(svrl: string): RuleViolation[] {
  const out: RuleViolation[] = [];
  const re = /<svrl:(failed-assert|successful-report)\b([^>]*)>([\s\S]*?)<\/svrl:\1>/g;
  for (let m = re.exec(svrl); m; m = re.exec(svrl)) {
    const attrs = m[2]!;
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
    const textMatch = /<svrl:text>([\s\S]*?)<\/svrl:text>/.exec(m[3]!);
    const flag = attr('flag') === 'warning' ? 'warning' : 'fatal';
    const location = attr('location');
    out.push({
      rule: attr('id') ?? 'SCHEMATRON',
      flag,
      message: unescapeXml(textMatch?.[1] ?? '')
        .replace(/\s+/g, ' ')
        .trim(),
      ...(location ? { location: unescapeXml(location) } : {}),
    });
  }
  return out;
}

/** xmllint's messages for one file, from its stderr (`file:line: element X: Schemas validity error : …`). */
function parseXmllint(stderr: string, file: string): RuleViolation[] {
  const out: RuleViolation[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith(`${file}:`) || line.endsWith(' validates') || line.endsWith('fails to validate')) continue;
    const m = /^[^:]+:(\d+): (.*)$/.exec(line);
    out.push({ rule: 'XSD', flag: 'fatal', message: (m?.[2] ?? line).trim(), ...(m ? { location: `line ${m[1]}` } : {}) });
  }
  return out;
}

/**
 * Validate documents in one batch: the UBL XSD of each document's root, then the CIUS-RO
 * Schematron. A document that is not Invoice/CreditNote, or not well-formed, gets an `XSD` error.
 */
export async function validateBatch(xmls: readonly string[]): Promise<ValidationResult[]> {
  if (xmls.length === 0) return [];
  const jar = saxonJar();
  const dir = await mkdtemp(join(tmpdir(), 'efactura-validate-'));
  try {
    const inDir = join(dir, 'in');
    const outDir = join(dir, 'out');
    await run('mkdir', ['-p', inDir, outDir]);
    const names = xmls.map((_, i) => `d${String(i).padStart(6, '0')}.xml`);
    await Promise.all(xmls.map((xml, i) => writeFile(join(inDir, names[i]!), xml)));
    const violations: RuleViolation[][] = xmls.map(() => []);
    // XSD: one xmllint per root element kind.
    for (const root of ['Invoice', 'CreditNote'] as const) {
      const idx = xmls.map((x, i) => (rootOf(x) === root ? i : -1)).filter((i) => i >= 0);
      if (idx.length === 0) continue;
      const files = idx.map((i) => join(inDir, names[i]!));
      const r = await run('xmllint', ['--noout', '--nonet', '--schema', XSD[root], ...files]);
      idx.forEach((i, k) => violations[i]!.push(...parseXmllint(r.stderr, files[k]!)));
    }
    xmls.forEach((x, i) => {
      if (!rootOf(x))
        violations[i]!.push({
          rule: 'XSD',
          flag: 'fatal',
          message: 'The document is neither a UBL Invoice nor a UBL CreditNote.',
        });
    });
    // Schematron: one JVM over the whole folder.
    const r = await run('java', [
      '-cp',
      jar,
      'net.sf.saxon.Transform',
      `-s:${inDir}`,
      `-o:${outDir}`,
      `-xsl:${SCHEMATRON_XSLT}`,
    ]);
    const produced = new Set(await readdir(outDir));
    await Promise.all(
      names.map(async (name, i) => {
        if (!produced.has(name)) {
          if (violations[i]!.length === 0)
            violations[i]!.push({
              rule: 'SCHEMATRON',
              flag: 'fatal',
              message: `The Schematron could not read the document: ${r.stderr.split('\n').find((l) => l.includes(name)) ?? r.stderr.slice(0, 300)}`,
            });
          return;
        }
        violations[i]!.push(...parseSvrl(await readFile(join(outDir, name), 'utf8')));
      }),
    );
    return violations.map((v) => {
      const errors = v.filter((x) => x.flag === 'fatal');
      return { ok: errors.length === 0, errors, warnings: v.filter((x) => x.flag === 'warning') };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function validate(xml: string): Promise<ValidationResult> {
  return (await validateBatch([xml]))[0]!;
}
