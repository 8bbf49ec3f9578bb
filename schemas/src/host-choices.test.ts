import { describe, expect, it } from 'vitest';
import { compileSettingsValidator } from './settings-validator.ts';
import { hostChoiceSettings, unknownHostChoices, withHostChoices } from './host-choices.ts';
import { sampleManifest } from './testing/sample-manifest.ts';
import { validateManifest } from './validate-manifest.ts';

const schema = {
  type: 'object',
  properties: {
    invoiceTemplateId: {
      type: ['string', 'null'],
      title: 'Invoice template',
      'x-host-choices': 'invoiceTemplates',
    },
    other: { type: 'string' },
  },
};
const choices = { invoiceTemplates: [{ value: 't1', label: 'Shop (classic)' }] };

describe('x-host-choices', () => {
  it('finds the settings that take host choices', () => {
    expect([...hostChoiceSettings(schema)]).toEqual([['invoiceTemplateId', 'invoiceTemplates']]);
  });

  it('serves them as a select of the tenant’s records, leaving the manifest’s schema as it was', () => {
    const served = withHostChoices(schema, choices);
    expect(served.properties.invoiceTemplateId).toMatchObject({
      enum: [null, 't1'],
      'x-ui': { widget: 'select', enumLabels: { t1: 'Shop (classic)', null: 'None (the default)' } },
    });
    expect(schema.properties.invoiceTemplateId).not.toHaveProperty('enum');
    expect(compileSettingsValidator(served)({ invoiceTemplateId: 't1' }).ok).toBe(true);
  });

  it('reports a value outside the list, and lets an empty one through', () => {
    expect(unknownHostChoices(schema, { invoiceTemplateId: 'tpl-1' }, choices)).toEqual([
      expect.objectContaining({ setting: 'invoiceTemplateId', list: 'invoiceTemplates', value: 'tpl-1' }),
    ]);
    expect(unknownHostChoices(schema, { invoiceTemplateId: null }, choices)).toEqual([]);
    expect(unknownHostChoices(schema, { invoiceTemplateId: 't1' }, choices)).toEqual([]);
  });

  it('is accepted in a manifest, and a list the host does not offer is refused at load', () => {
    const manifest = sampleManifest();
    const property = manifest.settings.properties.defaultVatRate as Record<string, unknown>;
    property.type = 'string';
    delete property.minimum;
    delete property.maximum;
    delete property.default;
    property['x-host-choices'] = 'invoiceTemplates';
    expect(validateManifest(manifest).ok).toBe(true);
    property['x-host-choices'] = 'warehouses';
    const result = validateManifest(manifest);
    expect(result.ok).toBe(false);
  });
});
