/**
 * What the host said when it tested an account's credentials (on connect, on a new password): kept
 * across the navigation from the connect form to the account's page, shown there once.
 */
export type ConnectionVerdict = 'connected' | 'refused' | 'unchecked' | 'untested';

export const connectionNotice = $state<{
  integrationId: string | null;
  verdict: ConnectionVerdict;
  message: string | null;
}>({ integrationId: null, verdict: 'untested', message: null });

/** The sentence for a verdict: connected with the service's words, or kept though not checked yet. */
export function connectionSentence(verdict: ConnectionVerdict, message: string | null): string | null {
  if (verdict === 'connected') return message ? `Connected. ${message}` : 'Connected.';
  if (verdict === 'unchecked')
    return `Saved, but not checked yet: ${message ?? 'the service could not be asked just now.'}`;
  return null;
}
