/**
 * Settings written under an older `settingsVersion` of the manifest, brought up to date.
 * Version 1 stored `defaultVatRate: 19` by default for every platform; 19 % is no rate on any
 * platform any more (reference README "Correction": Romania 21 / 11 % since 2025-08-01; Bulgaria
 * 20 / 9 %; Hungary 27 / 18 / 5 %), so that stored default is dropped and the platform's standard
 * rate on the order date applies. Any other value was the seller's choice and stays.
 */
export function migrateSettings(input: {
  fromVersion: number;
  settings: Record<string, unknown>;
}): Record<string, unknown> {
  const settings = { ...input.settings };
  if (input.fromVersion < 2 && settings.defaultVatRate === 19) delete settings.defaultVatRate;
  return settings;
}
