import { STAFF_ROLE_LABELS } from './roles';
import type { AnyAdminOperation, JsonSchema } from './operation';

const PROBLEM: JsonSchema = {
  type: 'object',
  required: ['error', 'message', 'requestId'],
  properties: {
    error: { type: 'string', description: 'A stable ERR_* code.' },
    message: { type: 'string' },
    requestId: { type: 'string' },
  },
};

const ERRORS: Readonly<Record<string, string>> = {
  '400': 'The input does not match the schema (each problem named).',
  '401': 'No console session and no valid access token.',
  '403': "The caller's role or token scopes do not allow it, or a session change lacks X-CSRF-Token.",
  '404': "Not found, or not one of the caller's organisation's.",
  '409': 'It conflicts with the current state.',
  '429': 'Too many refused attempts from this address; Retry-After says when to try again.',
  '503': 'The audit trail cannot record the action now: nothing was done or answered.',
};

/**
 * The OpenAPI 3.1 document of the admin API, made from the operations themselves: the schemas that
 * check the requests and the answers are the ones documented, so the two cannot drift.
 */
export function openApiDocument(operations: readonly AnyAdminOperation[], publicUrl: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const item = (paths[`/admin${op.path}`] ??= {});
    item[op.method] = operationObject(op);
  }
  const systemScopes = Object.fromEntries(
    [...new Set(operations.flatMap((op) => (op.systemScope ? [op.systemScope] : [])))]
      .sort()
      .map((scope) => [scope, `Operations of the admin API that name ${scope}`]),
  );
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Inzage administration API',
      version: '1',
      summary: "The care organisation's administration of its clients' portals",
      description:
        'Every operation is also a page of the console (/admin/console) and a command (`inzage admin`). ' +
        'Staff call it with their console session (a change needs the X-CSRF-Token header); the ' +
        "organisation's systems with a SMART Backend Services token that names the operation's system scope " +
        'outright. Each operation lists the staff roles that may run it (x-inzage-roles). A change needs a ' +
        'reason, recorded in the audit trail with the staff member and their role. Roles: ' +
        Object.entries(STAFF_ROLE_LABELS)
          .map(([id, label]) => `${id} (${label.en})`)
          .join(', ') +
        '.',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    servers: [{ url: publicUrl.replace(/\/+$/, '') }],
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: {
        staffSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'inzage_staff',
          description: 'A console session after a login with a second factor.',
        },
        backendServices: {
          type: 'oauth2',
          description: 'SMART Backend Services (client credentials with a signed client assertion).',
          flows: {
            clientCredentials: {
              tokenUrl: `${publicUrl.replace(/\/+$/, '')}/auth/token`,
              scopes: systemScopes,
            },
          },
        },
      },
    },
  };
}

function operationObject(op: AnyAdminOperation): Record<string, unknown> {
  const input = op.input as { properties?: Record<string, JsonSchema>; required?: readonly string[] };
  const pathNames = [...op.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]!);
  const properties = input.properties ?? {};
  const required = new Set(input.required ?? []);
  const hasBody = op.method === 'post' || op.method === 'put' || op.method === 'patch';
  const parameters = Object.entries(properties)
    .filter(([name]) => pathNames.includes(name) || !hasBody)
    .map(([name, schema]) => ({
      name,
      in: pathNames.includes(name) ? 'path' : 'query',
      required: pathNames.includes(name) || required.has(name),
      schema,
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    }));
  const bodyProperties = Object.fromEntries(
    Object.entries(properties).filter(([name]) => !pathNames.includes(name)),
  );
  const body = hasBody
    ? {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                ...(op.input as object),
                properties: bodyProperties,
                required: [...required].filter((name) => !pathNames.includes(name)),
              },
            },
          },
        },
      }
    : {};
  const status = String(op.status ?? 200);
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...body,
    responses: {
      [status]: { description: op.summary, content: { 'application/json': { schema: op.output } } },
      ...Object.fromEntries(
        Object.entries(ERRORS).map(([code, description]) => [
          code,
          {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        ]),
      ),
    },
    security: [{ staffSession: [] }, ...(op.systemScope ? [{ backendServices: [op.systemScope] }] : [])],
    'x-inzage-roles': op.roles,
    'x-inzage-action': op.action,
  };
}
