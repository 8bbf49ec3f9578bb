import type { ManifestErrorCode, ManifestIssue } from '../errors.ts';
import type { Manifest } from '../manifest.ts';

/** The sections of a manifest that parsed on their own; a check skips what it cannot see. */
export type ManifestSections = Partial<Manifest>;

export interface CheckContext {
  sections: ManifestSections;
  /** The manifest as written, to tell "not declared" from "declared but broken" (reported already). */
  raw: Readonly<Record<string, unknown>>;
  report: (code: ManifestErrorCode, pointer: string, message: string) => void;
}

export type ManifestCheck = (context: CheckContext) => void;

export function createContext(options: { sections: ManifestSections; raw: unknown }): {
  context: CheckContext;
  issues: ManifestIssue[];
} {
  const issues: ManifestIssue[] = [];
  const raw =
    typeof options.raw === 'object' && options.raw !== null ? (options.raw as Record<string, unknown>) : {};
  return {
    issues,
    context: {
      sections: options.sections,
      raw,
      report: (code, pointer, message) => issues.push({ code, pointer, message }),
    },
  };
}

export function quoteList(values: Iterable<string>): string {
  const list = [...values].map((value) => `'${value}'`);
  return list.length > 0 ? list.join(', ') : '(none declared)';
}

/** Top-level settings properties: what `setting` fields and `{settings.x}` placeholders may name. */
export function settingProperties(sections: ManifestSections): Map<string, Record<string, unknown>> {
  return new Map(Object.entries(sections.settings?.properties ?? {}));
}

export function settingType(property: Record<string, unknown> | undefined): string | undefined {
  const type = property?.type;
  return typeof type === 'string' ? type : undefined;
}

/** The entries of a list section that survived parsing (salvaged lists may have holes). */
export function present<T>(list: readonly T[] | undefined): T[] {
  return list ? list.filter(() => true) : [];
}
