import { ManifestErrorCode } from '../errors.ts';
import type { ManifestCheck } from './context.ts';

function unique(
  report: Parameters<ManifestCheck>[0]['report'],
  options: { list: readonly { [key: string]: unknown }[] | undefined; section: string; key: string },
): void {
  const first = new Map<unknown, number>();
  options.list?.forEach((entry, index) => {
    const value = entry[options.key];
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, index);
      return;
    }
    report(
      ManifestErrorCode.DUPLICATE,
      `/${options.section}/${index}/${options.key}`,
      `'${String(value)}' is already used by /${options.section}/${earlier}; each ${options.key} must be unique`,
    );
  });
}

/** Ids that other parts refer to must be unique, or references would be ambiguous. */
export const checkUnique: ManifestCheck = ({ sections, report }) => {
  unique(report, { list: sections.jobs, section: 'jobs', key: 'id' });
  unique(report, { list: sections.flows, section: 'flows', key: 'id' });
  unique(report, { list: sections.config, section: 'config', key: 'env' });
  unique(report, { list: sections.rateLimits, section: 'rateLimits', key: 'group' });
  unique(report, { list: sections.webhooks, section: 'webhooks', key: 'id' });
  unique(report, { list: sections.actions, section: 'actions', key: 'id' });
};
