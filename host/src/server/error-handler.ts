import { settingsIssueOf, settingsIssuesSentence } from '@mch/schemas';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { FastifyError, FastifyInstance } from 'fastify';
import { asHostError } from '../api/host-error.ts';
import { errorBody, HostError } from '../errors.ts';

/** Every REST error is `{error:{code,message,issues?}}` with the right status (SPEC "Interfaces"). */
export function registerErrorHandling(app: FastifyInstance, options: { consoleShell?: boolean } = {}): void {
  app.setErrorHandler((error: FastifyError | HostError | Error, request, reply) => {
    const known = asHostError(error);
    if (known) {
      return reply.code(known.status).send(errorBody(known));
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      // Ajv's own words ("must be >= 5") are for schema authors: each problem in words instead.
      const worded = fastifyError.validation.map((v) => settingsIssueOf(v as ErrorObject));
      const issues = worded.map((issue, i) => ({
        path: issue.path || '/',
        code: fastifyError.validation![i]!.keyword,
        message: issue.message,
      }));
      return reply.code(400).send(
        errorBody(
          new HostError('BAD_REQUEST', `The request was refused: ${settingsIssuesSentence(worded)}`, {
            issues,
          }),
        ),
      );
    }
    const status = fastifyError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code =
        status === 413
          ? 'BAD_REQUEST'
          : status === 415
            ? 'BAD_REQUEST'
            : status === 429
              ? 'TOO_MANY_REQUESTS'
              : 'BAD_REQUEST';
      return reply.code(status).send(errorBody(new HostError(code, fastifyError.message)));
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send(
        errorBody(
          new HostError('INTERNAL_SERVER_ERROR', 'Something went wrong on our side; the error was logged.'),
        ),
      );
  });

  // Client-side routes of the console fall back to its shell; API paths keep their JSON 404.
  // (Fastify allows one not-found handler per prefix, so both cases live here.)
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (options.consoleShell && request.method === 'GET' && !/^\/(api|trpc)(\/|$)/.test(path)) {
      return reply.sendFile('index.html');
    }
    return reply.code(404).send(errorBody(new HostError('NOT_FOUND', `No route ${request.method} ${path}.`)));
  });
}
