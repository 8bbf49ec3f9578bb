// Words (issue 13): what a person is told when the host refuses their input says what is wrong
// with which field, in words — never zod's JSON dump of its issues, never a JSON pointer.
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

describe('refused input in words (issue 13)', () => {
  let host: TestHost;
  let admin: TestActor;

  beforeAll(async () => {
    host = await startTestHost();
    const tenant = await host.createTenant('Words Co');
    admin = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  });
  afterAll(() => host?.stop());

  it('the company form is told which details are wrong and why, not validation JSON', async () => {
    const error = (await admin.trpc.tenant.updateCompany
      .mutate({
        name: '',
        // The console sends what was typed; these are what a person may type.
        vatStatus: 'maybe' as 'registered',
        country: 'Poland',
        bankAccount: 'x'.repeat(70),
      })
      .catch((e: unknown) => e)) as TRPCClientError<never>;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.message).not.toMatch(/[[\]{}"]|expected|>=|origin/);
    expect(error.message).toBe(
      'Name must not be empty; VAT status must be one of registered, exempt; Bank account must be at most 64 characters long; Country must be an ISO 3166 alpha-2 code such as PL.',
    );
    const issues = (error.data as unknown as { issues: { path: string; message: string }[] }).issues;
    expect(issues).toContainEqual(
      expect.objectContaining({ path: '/vatStatus', message: 'must be one of registered, exempt' }),
    );
  });

  it('a REST body refused by its schema is said in words too', async () => {
    const res = await admin.rest<{ error: { message: string } }>('/api/v1/invoices?limit=500');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('The query string was refused: Limit must be at most 200.');
  });
});
