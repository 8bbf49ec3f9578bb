import { ManifestErrorCode } from '../errors.ts';
import type { Job } from '../manifest/jobs.ts';
import { placeholders } from '../templates.ts';
import { type CheckContext, type ManifestCheck, quoteList } from './context.ts';
import { secretLeakMessage, secretLikeSettings } from './secrets.ts';
import { checkRuntimeTemplate } from './templates.ts';

/** Where a pull's request templates end up: the URL (logged) or the body (sent, quoted in errors). */
const PULL_SINK = "a pull request's path, query or body, which are written to logs and error messages";

/** A job calls a hook or describes a pull, never both; what a pull names must exist. */
export const checkPulls: ManifestCheck = (context) => {
  context.sections.jobs?.forEach((job, index) => {
    const pointer = `/jobs/${index}`;
    if (job.hook !== undefined && job.pull !== undefined) {
      context.report(
        ManifestErrorCode.FIELD_INVALID,
        pointer,
        "has both 'hook' and 'pull'; a job either calls a hook of the plugin module or describes an HTTP pull the host runs: remove one of them",
      );
    } else if (job.hook === undefined && job.pull === undefined) {
      context.report(
        ManifestErrorCode.FIELD_MISSING,
        pointer,
        "has neither 'hook' nor 'pull'; name a hook of the plugin module in 'hook', or describe the HTTP read in 'pull'",
      );
    }
    if (job.pull) checkPull(context, { pointer: `${pointer}/pull`, pull: job.pull });
  });
};

function checkPull(
  context: CheckContext,
  options: { pointer: string; pull: NonNullable<Job['pull']> },
): void {
  const { pointer, pull } = options;
  const mappings = context.sections.mappings;
  if (mappings && !(pull.mapping in mappings)) {
    context.report(
      ManifestErrorCode.REFERENCE_UNKNOWN,
      `${pointer}/mapping`,
      `names mapping '${pull.mapping}', which is not declared in mappings; use one of: ${quoteList(Object.keys(mappings))}`,
    );
  } else if (mappings && !['invoice', 'correction'].includes(mappings[pull.mapping]!.target)) {
    context.report(
      ManifestErrorCode.FIELD_INVALID,
      `${pointer}/mapping`,
      `names mapping '${pull.mapping}', which makes ${mappings[pull.mapping]!.target} records; a pull imports orders (a mapping with target 'invoice') or corrections (target 'correction')`,
    );
  } else if (!mappings && context.raw.mappings === undefined) {
    context.report(
      ManifestErrorCode.REFERENCE_UNKNOWN,
      `${pointer}/mapping`,
      `names mapping '${pull.mapping}', but the manifest has no mappings; declare it in mappings`,
    );
  }
  if (context.sections.api === undefined && context.raw.api === undefined) {
    context.report(
      ManifestErrorCode.FIELD_MISSING,
      pointer,
      'needs api.baseUrl to send its request to; add an api section with the base URL',
    );
  }
  checkRequestTemplates(context, {
    pointer: `${pointer}/request`,
    request: pull.request,
    cursor: pull.cursor !== undefined,
  });
  const pagination = pull.pagination;
  if (pagination?.type === 'pageNumber' && pagination.totalCountHeader && !pagination.size) {
    context.report(
      ManifestErrorCode.FIELD_INVALID,
      `${pointer}/pagination/totalCountHeader`,
      'needs the page size to tell the last page from the total count; add pagination.size ({ "param": "per_page", "value": 100 })',
    );
  }
}

/**
 * The templates of a request the host sends (a pull's, a connection test's): placeholders it can
 * fill at run time, no secret setting (URLs and bodies end up in logs and error messages), and
 * `{cursor}` only where there is one.
 */
export function checkRequestTemplates(
  context: CheckContext,
  options: {
    pointer: string;
    request: {
      path: string;
      query?: Record<string, string> | undefined;
      body?: Record<string, string> | undefined;
    };
    cursor: boolean;
    /** Where the values end up, for the secret-leak sentence; default a pull's request. */
    sink?: string;
  },
): void {
  const { pointer, request } = options;
  const templates: { pointer: string; template: string }[] = [
    { pointer: `${pointer}/path`, template: request.path },
  ];
  for (const part of ['query', 'body'] as const)
    for (const [name, value] of Object.entries(request[part] ?? {}))
      templates.push({ pointer: `${pointer}/${part}/${name}`, template: value });
  const secrets = secretLikeSettings(context.sections.settings);
  for (const entry of templates) {
    const names = placeholders(entry.template);
    if (names.includes('cursor') && !options.cursor) {
      context.report(
        ManifestErrorCode.FIELD_INVALID,
        entry.pointer,
        "uses {cursor}, but the pull has no 'cursor'; add pull.cursor (the field whose highest value is kept) or remove {cursor}",
      );
    }
    const others = names.filter((name) => name !== 'cursor');
    checkRuntimeTemplate(context, { pointer: entry.pointer, template: others.map((n) => `{${n}}`).join('') });
    for (const name of others) {
      if (!name.startsWith('settings.')) continue;
      const setting = name.slice('settings.'.length);
      const mark = secrets.get(setting);
      if (mark !== undefined)
        context.report(
          ManifestErrorCode.SECRET_LEAK,
          entry.pointer,
          secretLeakMessage({ setting, mark, where: options.sink ?? PULL_SINK }),
        );
    }
  }
}
