import semver from 'semver';
import { ManifestErrorCode, type ManifestIssue, type ManifestSections } from '@mch/schemas';

/** The plugin's `host` range must include this host's version (prereleases count). */
export function checkHostRange(options: {
  sections: ManifestSections;
  hostVersion: string;
}): ManifestIssue[] {
  const range = options.sections.host;
  if (range === undefined || semver.satisfies(options.hostVersion, range, { includePrerelease: true }))
    return [];
  return [
    {
      code: ManifestErrorCode.HOST_RANGE,
      pointer: '/host',
      message: `'${range}' excludes this host's version ${options.hostVersion}; widen the range or run a matching host`,
    },
  ];
}
