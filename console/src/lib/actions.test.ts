import { describe, expect, it } from 'vitest';
import {
  actionInput,
  actionsFor,
  allows,
  correctionNumber,
  formIssues,
  formNeed,
  formSchema,
  idValue,
  listInput,
  type ActionView,
} from './actions.ts';

const cancel: ActionView = {
  id: 'cancel-order',
  title: 'Cancel order',
  description: null,
  input: {
    type: 'object',
    title: 'Cancellation',
    required: ['orderId', 'reason'],
    properties: {
      orderId: { type: 'string', pattern: '^[0-9]{1,15}$', title: 'Order id' },
      reason: {
        type: 'integer',
        title: 'Cancellation reason',
        enum: [1, 2],
        'x-ui': { widget: 'select', enumLabels: { '1': 'Out of stock', '2': 'Cancelled by the client' } },
      },
    },
  },
  subject: { kind: 'order', role: 'act', idInput: 'orderId', statuses: [2, 3, 4] },
};

const approve: ActionView = {
  id: 'approve-return',
  title: 'Approve',
  description: null,
  input: {
    type: 'object',
    required: ['rmaId', 'status'],
    properties: { rmaId: { type: 'integer', minimum: 1 }, status: { type: 'integer', const: 3 } },
  },
  subject: { kind: 'return', role: 'act', idInput: 'rmaId', statuses: [2], presets: { status: 3 } },
};

const finalise: ActionView = {
  ...approve,
  id: 'finalise-return',
  title: 'Finalise',
  input: {
    type: 'object',
    required: ['rmaId', 'status'],
    properties: {
      ...approve.input!.properties,
      products: { type: 'array', title: 'Products received', items: { type: 'object' } },
    },
  },
  subject: { kind: 'return', role: 'act', idInput: 'rmaId', statuses: [6], presets: { status: 7 } },
};

describe('formSchema: the part of an action input a person fills in', () => {
  it('leaves out the id input and the presets, from properties and required alike', () => {
    expect(formSchema(cancel)).toEqual({
      type: 'object',
      required: ['reason'],
      properties: { reason: cancel.input!.properties!.reason },
    });
    expect(formSchema(finalise)).toEqual({
      type: 'object',
      required: [],
      properties: { products: finalise.input!.properties!.products },
    });
  });

  it('is null when the id and presets are the whole input', () => {
    expect(formSchema(approve)).toBeNull();
    expect(formSchema({ ...approve, input: undefined })).toBeNull();
  });

  it('does not change the manifest schema it reads', () => {
    formSchema(cancel);
    expect(cancel.input!.required).toEqual(['orderId', 'reason']);
    expect(cancel.input!.title).toBe('Cancellation');
  });

  it('says whether the action needs a form, may take one, or runs at once', () => {
    expect(formNeed(cancel)).toBe('required');
    expect(formNeed(finalise)).toBe('optional');
    expect(formNeed(approve)).toBe('none');
  });
});

describe('the input sent and where an act is offered', () => {
  it('puts the record id in idInput as its schema wants it, the presets over the form value', () => {
    expect(actionInput(cancel, 12, { reason: 2 })).toEqual({ orderId: '12', reason: 2 });
    expect(actionInput(approve, '41', { status: 9 })).toEqual({ rmaId: 41, status: 3 });
    expect(idValue(approve, 'abc')).toBe('abc');
  });

  it("passes an order's id to a list action only when its input has an orderId", () => {
    const list = (properties: Record<string, unknown>): ActionView => ({
      id: 'list',
      title: 'List',
      description: null,
      input: { type: 'object', properties },
      subject: { kind: 'refund', role: 'list' },
    });
    expect(listInput(list({ orderId: { type: 'string' } }), 'a-1')).toEqual({ orderId: 'a-1' });
    expect(listInput(list({ orderId: { type: 'integer' } }), '7')).toEqual({ orderId: 7 });
    expect(listInput(list({ status: { type: 'integer' } }), '7')).toEqual({});
  });

  it('offers an act in its statuses, compared as text, and always when the status is unknown', () => {
    expect(allows(cancel, 3)).toBe(true);
    expect(allows(cancel, '3')).toBe(true);
    expect(allows(cancel, 0)).toBe(false);
    expect(allows(cancel, undefined)).toBe(true);
    expect(allows({ ...cancel, subject: { kind: 'order', role: 'act' } }, 0)).toBe(true);
  });

  it('finds actions by kind and role', () => {
    expect(actionsFor([cancel, approve, finalise], 'return', 'act').map((a) => a.id)).toEqual([
      'approve-return',
      'finalise-return',
    ]);
  });

  it("reads a correction's number from an action's result", () => {
    expect(correctionNumber({ correction: { number: 'FK/2026/1' } })).toBe('FK/2026/1');
    expect(correctionNumber({ correction: null })).toBeNull();
    expect(correctionNumber('done')).toBeNull();
  });
});

describe("formIssues: the host's refusal beside the form", () => {
  it('keeps issues on form fields, words the others as form-level sentences', () => {
    expect(
      formIssues({
        action: cancel,
        message: "The input of 'Cancel order' is invalid.",
        issues: [
          { path: '/reason', code: 'enum', message: 'must be one of the allowed values' },
          { path: '/orderId', code: 'pattern', message: 'must match the pattern' },
        ],
      }),
    ).toEqual([
      { path: '/reason', code: 'enum', message: 'must be one of the allowed values' },
      { path: '', code: 'pattern', message: 'Order id must match the pattern' },
    ]);
  });

  it("carries the host's sentence when it gave no issues (a marketplace rule)", () => {
    expect(formIssues({ action: cancel, issues: [], message: 'Order 5 is finalized.' })).toEqual([
      { path: '', code: 'REFUSED', message: 'Order 5 is finalized.' },
    ]);
  });
});
