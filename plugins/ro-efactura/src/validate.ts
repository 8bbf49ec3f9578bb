import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
 * Saxon starts a JVM and compiles the 17 000-line stylesheet in seconds, so one worker process
 * (`../java/SchematronWorker.java`, run as a single-file source program) keeps it compiled and
 * validates document after document; it is started on first use and stopped with
 * {@link stopValidator} (or when the process exits: it does not keep Node alive).
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const ARTEFACTS = resolve(HERE, '../artefacts');
const WORKER_SOURCE = resolve(HERE, '../java/SchematronWorker.java');
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
  const m = /<(?:[A-Za-z_][\w.-]*:)?(Invoice|CreditNote)[\s>]/.exec(
    xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''),
  );
  return m ? (m[1] as 'Invoice' | 'CreditNote') : null;
};

/** The text of an XML attribute or element: the five entities and numeric character references. */
export const unescapeXml = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
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
    if (!line.startsWith(`${file}:`) || line.endsWith(' validates') || line.endsWith('fails to validate'))
      continue;
    const m = /^[^:]+:(\d+): (.*)$/.exec(line);
    out.push({
      rule: 'XSD',
      flag: 'fatal',
      message: (m?.[2] ?? line).trim(),
      ...(m ? { location: `line ${m[1]}` } : {}),
    });
  }
  return out;
}

/**
 * Validate documents in one batch: the UBL XSD of each document's root, then the CIUS-RO
 * Schematron. A document that is not Invoice/CreditNote, or not well-formed, gets an `XSD` error.
 */
export async function validateBatch(xmls: readonly string[]): Promise<ValidationResult[]> {
  if (xmls.length === 0) return [];
  const worker = schematronWorker();
  const dir = await mkdtemp(join(tmpdir(), 'efactura-validate-'));
  try {
    const inDir = join(dir, 'in');
    const outDir = join(dir, 'out');
    await Promise.all([mkdir(inDir), mkdir(outDir)]);
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
    // Schematron: the long-lived worker, one document after another.
    await Promise.all(
      names.map(async (name, i) => {
        const svrlPath = join(outDir, `${name}.svrl`);
        const failure = await worker.run(join(inDir, name), svrlPath);
        if (failure !== null) {
          if (violations[i]!.length === 0)
            violations[i]!.push({
              rule: 'SCHEMATRON',
              flag: 'fatal',
              message: `The Schematron could not read the document: ${failure}`,
            });
          return;
        }
        violations[i]!.push(...parseSvrl(await readFile(svrlPath, 'utf8')));
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

interface Pending {
  resolve(failure: string | null): void;
}

class SchematronWorker {
  private child: ChildProcessWithoutNullStreams;
  private ready: Promise<void>;
  private pending = new Map<string, Pending[]>();
  private buffer = '';
  private dead: Error | null = null;

  constructor(jar: string) {
    this.child = spawn('java', ['-cp', jar, WORKER_SOURCE, SCHEMATRON_XSLT], { stdio: 'pipe' });
    this.hold(true);
    this.child.stderr.resume();
    let markReady: () => void = () => {};
    let markFailed: (e: Error) => void = () => {};
    this.ready = new Promise<void>((ok, fail) => {
      markReady = ok;
      markFailed = fail;
    });
    this.ready.catch(() => {});
    this.child.on('error', (e) => {
      this.dead =
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? new ValidatorUnavailableError(
              'Java is not installed; the CIUS-RO validator needs a JRE and Saxon-HE.',
            )
          : e;
      markFailed(this.dead);
      this.failAll();
    });
    this.child.on('exit', (code) => {
      this.dead ??= new ValidatorUnavailableError(`The CIUS-RO validator stopped (exit code ${code}).`);
      markFailed(this.dead);
      this.failAll();
      if (worker === this) worker = null;
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl = this.buffer.indexOf('\n');
      while (nl >= 0) {
        const line = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.buffer = this.buffer.slice(nl + 1);
        nl = this.buffer.indexOf('\n');
        if (line === 'READY') {
          markReady();
          this.settled();
          continue;
        }
        const [status, input, why] = line.split('\t');
        const waiting = this.pending.get(input ?? '');
        const next = waiting?.shift();
        if (waiting && waiting.length === 0) this.pending.delete(input!);
        next?.resolve(status === 'OK' ? null : (why ?? 'unknown error'));
        this.settled();
      }
    });
  }

  /** Keeps Node alive while the worker starts or has work, not while it idles. */
  private hold(on: boolean): void {
    if (on) this.child.ref();
    else this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      const handle = s as unknown as { ref?: () => void; unref?: () => void };
      if (on) handle.ref?.();
      else handle.unref?.();
    }
  }

  private settled(): void {
    if (this.pending.size === 0) this.hold(false);
  }

  private failAll(): void {
    for (const list of this.pending.values())
      for (const p of list) p.resolve(this.dead?.message ?? 'stopped');
    this.pending.clear();
  }

  async run(input: string, output: string): Promise<string | null> {
    await this.ready;
    if (this.dead) throw this.dead;
    return new Promise((resolveRun) => {
      const list = this.pending.get(input) ?? [];
      if (this.pending.size === 0) this.hold(true);
      list.push({ resolve: resolveRun });
      this.pending.set(input, list);
      this.child.stdin.write(`${input}\t${output}\n`);
    });
  }

  stop(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

let worker: SchematronWorker | null = null;

function schematronWorker(): SchematronWorker {
  worker ??= new SchematronWorker(saxonJar());
  return worker;
}

/** Stops the Schematron worker (tests, shutdown); the next validation starts a new one. */
export function stopValidator(): void {
  worker?.stop();
  worker = null;
}
