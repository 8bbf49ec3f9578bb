import { ManifestErrorCode } from '../errors.ts';
import { type ManifestCheck, present, quoteList } from './context.ts';

/** Jobs name declared flows and sane retry bounds; rate groups have valid regexes, one default. */
export const checkReferences: ManifestCheck = ({ sections, report }) => {
  const flows = sections.flows ? new Set(present(sections.flows).map((flow) => flow.id)) : undefined;
  sections.jobs?.forEach((job, index) => {
    if (job.flow !== undefined && flows && !flows.has(job.flow)) {
      report(
        ManifestErrorCode.REFERENCE_UNKNOWN,
        `/jobs/${index}/flow`,
        `names flow '${job.flow}', which is not declared in flows; use one of: ${quoteList(flows)}`,
      );
    }
    if (job.retry.maxDelayMs < job.retry.initialDelayMs) {
      report(
        ManifestErrorCode.FIELD_INVALID,
        `/jobs/${index}/retry/maxDelayMs`,
        `must be at least initialDelayMs (${job.retry.initialDelayMs})`,
      );
    }
  });

  const jobIds = new Set(present(sections.jobs ?? []).map((job) => job.id));
  for (const key of ['pushJob', 'readJob'] as const) {
    const id = sections.offers?.[key];
    if (id !== undefined && !jobIds.has(id))
      report(
        ManifestErrorCode.REFERENCE_UNKNOWN,
        `/offers/${key}`,
        `names job '${id}', which is not declared in jobs; use one of: ${quoteList(jobIds)}`,
      );
  }

  sections.actions?.forEach((action, index) => {
    if (action.flow !== undefined && flows && !flows.has(action.flow)) {
      report(
        ManifestErrorCode.REFERENCE_UNKNOWN,
        `/actions/${index}/flow`,
        `names flow '${action.flow}', which is not declared in flows; use one of: ${quoteList(flows)}`,
      );
    }
  });

  const documents = sections.documents;
  if (documents && sections.jobs && !sections.jobs.some((job) => job.id === documents.job)) {
    report(
      ManifestErrorCode.REFERENCE_UNKNOWN,
      '/documents/job',
      `names job '${documents.job}', which is not declared in jobs; use one of: ${quoteList(sections.jobs.map((j) => j.id))}`,
    );
  }

  let defaultGroup: number | undefined;
  sections.rateLimits?.forEach((limit, index) => {
    if (limit.unlimited && (limit.limit !== undefined || limit.per !== undefined || limit.windows))
      report(
        ManifestErrorCode.FIELD_INVALID,
        `/rateLimits/${index}`,
        'is unlimited but also sets limit, per or windows; drop them, or drop unlimited',
      );
    if (!limit.unlimited && (limit.limit === undefined || limit.per === undefined))
      report(
        ManifestErrorCode.FIELD_INVALID,
        `/rateLimits/${index}`,
        'needs limit and per (at most limit requests in per seconds), or unlimited: true for requests the API does not limit',
      );
    if (!limit.match) {
      if (defaultGroup !== undefined) {
        report(
          ManifestErrorCode.DUPLICATE,
          `/rateLimits/${index}/match`,
          `is missing, but /rateLimits/${defaultGroup} is already the default group; add a match`,
        );
      }
      defaultGroup ??= index;
      return;
    }
    const { paths = [], regex = [], resources = [] } = limit.match;
    if (paths.length + regex.length + resources.length === 0) {
      report(
        ManifestErrorCode.FIELD_INVALID,
        `/rateLimits/${index}/match`,
        'matches nothing: list paths, regex or resources, or drop match to make this the default group',
      );
    }
    regex.forEach((source, position) => {
      try {
        new RegExp(source);
      } catch (error) {
        report(
          ManifestErrorCode.FIELD_INVALID,
          `/rateLimits/${index}/match/regex/${position}`,
          `is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
  });
};
