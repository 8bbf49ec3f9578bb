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
      const issues = fastifyError.validation.map((v) => ({
        path: v.instancePath || '/',
        code: v.keyword,
        message: v.message ?? 'is invalid',
      }));
      return reply
        .code(400)
        .send(errorBody(new HostError('BAD_REQUEST', 'The request is invalid.', { issues })));
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
