import { ManifestErrorCode } from '../errors.ts';
import { escapePointerSegment } from '../pointer.ts';
import { checkSettingsSchema } from '../settings-schema-check.ts';
import { type ManifestCheck, quoteList, settingProperties, settingType } from './context.ts';

export const checkSettingsSchemaValid: ManifestCheck = ({ sections, report }) => {
  if (!sections.settings) return;
  for (const issue of checkSettingsSchema(sections.settings))
    report(issue.code, issue.pointer, issue.message);
};

/** Names of properties of the given JSON Schema type, for "use one of" hints. */
function ofType(properties: Map<string, Record<string, unknown>>, types: string[]): string[] {
  return [...properties]
    .filter(([, schema]) => types.includes(settingType(schema) ?? ''))
    .map(([name]) => name);
}

/** Fields that name a setting must name one that exists and has the type the host needs. */
export const checkSettingReferences: ManifestCheck = ({ sections, report }) => {
  if (!sections.settings) return;
  const properties = settingProperties(sections);
  const expect = (options: { pointer: string; name: string; types: string[]; what: string }): boolean => {
    const property = properties.get(options.name);
    const candidates = quoteList(ofType(properties, options.types));
    if (!property) {
      report(
        ManifestErrorCode.SETTING_REFERENCE,
        options.pointer,
        `names '${options.name}', but settings has no such property; use one of: ${candidates}`,
      );
      return false;
    }
    if (!options.types.includes(settingType(property) ?? '')) {
      report(
        ManifestErrorCode.SETTING_REFERENCE,
        options.pointer,
        `names '${options.name}', which is not ${options.what} (its type is ${settingType(property) ?? 'unset'}); use one of: ${candidates}`,
      );
      return false;
    }
    return true;
  };

  sections.jobs?.forEach((job, index) => {
    if ('setting' in job.interval) {
      expect({
        pointer: `/jobs/${index}/interval/setting`,
        name: job.interval.setting,
        types: ['integer'],
        what: 'an integer setting',
      });
    }
  });
  sections.flows?.forEach((flow, index) => {
    if (flow.setting !== undefined) {
      expect({
        pointer: `/flows/${index}/setting`,
        name: flow.setting,
        types: ['boolean'],
        what: 'a boolean setting',
      });
    }
  });
  for (const [what, name] of Object.entries(sections.switches ?? {}))
    if (name !== undefined)
      expect({ pointer: `/switches/${what}`, name, types: ['boolean'], what: 'a boolean setting' });
  const auth = sections.auth;
  if (auth?.type === 'apiKey') {
    const ok = expect({
      pointer: '/auth/setting',
      name: auth.setting,
      types: ['string'],
      what: 'a string setting',
    });
    if (ok && properties.get(auth.setting)?.writeOnly !== true) {
      report(
        ManifestErrorCode.SETTING_REFERENCE,
        `/settings/properties/${escapePointerSegment(auth.setting)}/writeOnly`,
        `'${auth.setting}' holds the API key: mark it "writeOnly": true so it is kept in the vault and never returned`,
      );
    }
  }
  if (auth?.type === 'oauth2ClientCredentials') {
    expect({
      pointer: '/auth/clientIdSetting',
      name: auth.clientIdSetting,
      types: ['string'],
      what: 'a string setting',
    });
    const ok = expect({
      pointer: '/auth/clientSecretSetting',
      name: auth.clientSecretSetting,
      types: ['string'],
      what: 'a string setting',
    });
    if (ok && properties.get(auth.clientSecretSetting)?.writeOnly !== true) {
      report(
        ManifestErrorCode.SETTING_REFERENCE,
        `/settings/properties/${escapePointerSegment(auth.clientSecretSetting)}/writeOnly`,
        `'${auth.clientSecretSetting}' holds the client secret: mark it "writeOnly": true so it is kept in the vault and never returned`,
      );
    }
  }
  if (auth?.type === 'basic') {
    expect({
      pointer: '/auth/usernameSetting',
      name: auth.usernameSetting,
      types: ['string'],
      what: 'a string setting',
    });
    const ok = expect({
      pointer: '/auth/passwordSetting',
      name: auth.passwordSetting,
      types: ['string'],
      what: 'a string setting',
    });
    if (ok && properties.get(auth.passwordSetting)?.writeOnly !== true) {
      report(
        ManifestErrorCode.SETTING_REFERENCE,
        `/settings/properties/${escapePointerSegment(auth.passwordSetting)}/writeOnly`,
        `'${auth.passwordSetting}' holds a password: mark it "writeOnly": true so it is kept in the vault and never returned`,
      );
    }
  }
};
