import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startTestHost, type TestActor, type TestHost } from '../../../host/test/support/test-host.ts';
export declare const ROOT_REGISTRY: string;
export interface AllegroWorld {
    host: TestHost;
    sandbox: RunningSandbox;
    overrides: Map<string, Record<string, string>>;
    stop(): Promise<void>;
}
/** The real host (scheduler included) and the Allegro sandbox, wired through the plugin's config. */
export declare function startAllegroWorld(options: {
    orders: number;
    seed?: string;
    faults?: Record<string, unknown>;
    rateLimit?: boolean;
    extra?: Record<string, unknown>;
    host?: Parameters<typeof startTestHost>[0];
}): Promise<AllegroWorld>;
export declare function sandboxConfig(sandbox: RunningSandbox): Record<string, string>;
/** Fills the sandbox's consent form like a person would and returns where it redirects. */
export declare function consent(authorizeUrl: string, decision: 'approve' | 'deny', account?: number): Promise<string>;
/** Connects seller account `account` through the whole OAuth flow; returns the integration id. */
export declare function connectAccount(user: TestActor, account: number): Promise<string>;
export interface RunView {
    status: string;
    error: string | null;
    counts: Record<string, number>;
}
/** Starts a manual sync and waits for its run to finish. */
/** Waits until the integration has no queued or running run (follow-up jobs included). */
export declare function waitIdle(user: TestActor, integrationId: string, timeoutMs?: number): Promise<void>;
/** Starts a manual sync; waits for its run and the runs it starts (the invoice upload). */
export declare function syncAndWait(user: TestActor, integrationId: string, timeoutMs?: number): Promise<RunView>;
interface Form {
    id: string;
    status: string;
    summary: {
        totalToPay: {
            amount: string;
            currency: string;
        };
    };
}
/** API headers with a token of our own for seller `account` (to read the truth to compare with). */
export declare function sellerHeaders(sandbox: RunningSandbox, account: number): Promise<Record<string, string>>;
/** Every checkout form of an account (up to Allegro's 10 000-result cap), read with a token of our own. */
export declare function allForms(sandbox: RunningSandbox, account: number): Promise<Form[]>;
export declare function sandboxState(sandbox: RunningSandbox): Promise<{
    breaches: number;
    requests: Record<string, number>;
    effects: {
        kind: string;
        target?: string;
    }[];
}>;
export {};
