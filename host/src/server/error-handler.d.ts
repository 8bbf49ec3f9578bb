import type { FastifyInstance } from 'fastify';
/** Every REST error is `{error:{code,message,issues?}}` with the right status (SPEC "Interfaces"). */
export declare function registerErrorHandling(app: FastifyInstance, options?: {
    consoleShell?: boolean;
}): void;
