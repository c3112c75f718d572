/**
 * The OpenAPI document of the public API, at `/openapi.json`, with interactive docs at `/docs`.
 * Routes come from the controllers (@nestjs/swagger). Request schemas come from the very DTO
 * classes that validate the requests (class-validator metadata, via class-validator-jsonschema),
 * so the document cannot drift from what the API accepts; the answers' schemas from views.ts.
 * The typed client (`@lab/client`) is generated from this document.
 */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type { SchemaObject } from 'openapi3-ts';
import { modelIds } from '@lab/conversation';
import { DTO_SCHEMA_OPTIONS } from './decorators';
import { methodNotAllowed } from './method-not-allowed';
import { ERROR_SCHEMA, VIEW_SCHEMAS } from './views';

/** The path parameters every route parses with ParseId (a non-UUID is 400 `invalid_id`). */
const UUID_PATH_PARAMETERS = ['id', 'versionId', 'attachmentId'];

export function buildOpenApiDocument(app: INestApplication, publicUrl: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Assistant platform API')
    .setDescription(
      [
        'Build, share and chat with prompt-based assistants.',
        '',
        'Authenticate with `Authorization: Bearer <credential>`: your own OpenAI key (bring-your-own-key),',
        'an OIDC access token of the portal, or a platform API key (`lab_…`) of an internal system.',
        'Errors are always `{ "error": { "code", "message", "details" } }` with the matching status; on the OpenAI-compatible routes (`/v1/chat/completions`, `/v1/models*`) they are OpenAI’s, `{ "error": { "message", "type", "param", "code", "details" } }`.',
        'Text, in every body field and query parameter, must be well-formed UTF-8 without NUL (`\\u0000`) or lone surrogates (400 `invalid_utf8`, `invalid_text`); JSON bodies nest at most 64 levels (400 `too_deep`).',
        'Every answer carries `x-request-id` and the rate-limit headers (`RateLimit-*`).',
      ].join('\n'),
    )
    .setVersion('1')
    .addServer(publicUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) =>
      `${controller.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}_${method}`,
  });
  const schemas = validationMetadatasToSchemas(DTO_SCHEMA_OPTIONS);
  // The validation pipe refuses unknown fields (forbidNonWhitelisted): the document says so.
  for (const schema of Object.values(schemas)) schema.additionalProperties = false;
  // Except OpenAI's own request: a top-level parameter it does not know is ignored with a
  // `Warning` (compat/openai-request.ts), as OpenAI's API grows faster than any copy of it.
  const chat = schemas.ChatCompletionsDto;
  if (chat) chat.additionalProperties = true;
  // A chat message's fields by its role: a tool result answers a call; the assistant's calls
  // are its own; only its content may be left out (a message that calls functions).
  const message = schemas.ChatMessageDto?.properties;
  if (message) {
    const { role, content, name, tool_call_id: callId } = message;
    const variant = (roles: string[], properties: Record<string, unknown>, required: string[]) =>
      ({
        type: 'object',
        additionalProperties: false,
        required: ['role', ...required],
        properties: { role: { ...role, enum: roles }, name, ...properties },
      }) as SchemaObject;
    const text = { ...content, nullable: false };
    const calls = {
      type: 'array',
      maxItems: 64,
      items: { $ref: '#/components/schemas/ToolCallDto' },
    };
    schemas.ChatMessageDto = {
      oneOf: [
        variant(['system', 'developer', 'user'], { content: text }, ['content']),
        variant(['assistant'], { content, tool_calls: calls }, []),
        variant(['tool'], { content: text, tool_call_id: callId }, ['content', 'tool_call_id']),
      ],
    };
  }
  // `json_schema` goes with `type: "json_schema"`, and only there (a rule across two fields).
  if (schemas.ResponseFormatDto) {
    schemas.ResponseFormatDto = {
      oneOf: [
        {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: { type: { type: 'string', enum: ['text', 'json_object'] } },
        },
        {
          type: 'object',
          required: ['type', 'json_schema'],
          additionalProperties: false,
          properties: {
            type: { type: 'string', enum: ['json_schema'] },
            json_schema: { $ref: '#/components/schemas/JsonSchemaFormatDto' },
          },
        },
      ],
    };
  }
  // The services check a model config against the model registry (a known model, and
  // maxTokens within that model's own limit, which no schema can state): the models listed.
  const model = schemas.ModelConfigDto?.properties?.model;
  if (model && !('$ref' in model)) model.enum = modelIds();
  // The lab's thread comes back as the lab answered it: `summary: null` before a summary exists.
  const summary = schemas.LabThreadDto?.properties?.summary;
  if (summary && !('$ref' in summary)) summary.nullable = true;
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    ...(schemas as Record<string, object>),
    ...VIEW_SCHEMAS,
    Error: ERROR_SCHEMA,
  };
  document.components.schemas = reachableSchemas(document);
  for (const [route, path] of Object.entries(document.paths)) {
    // A response's id is OpenAI's `resp_…`, not a UUID (its routes say its schema themselves).
    const uuidIds = !route.startsWith('/v1/responses/');
    for (const operation of Object.values(path) as Array<{
      responses?: Record<string, unknown>;
      parameters?: Array<{ in?: string; name?: string; schema?: object }>;
    }>) {
      if (typeof operation !== 'object' || !operation.responses) continue;
      for (const parameter of operation.parameters ?? []) {
        if (
          uuidIds &&
          parameter.in === 'path' &&
          UUID_PATH_PARAMETERS.includes(parameter.name ?? '')
        ) {
          parameter.schema = { type: 'string', format: 'uuid' };
        }
      }
      operation.responses.default ??= {
        description: 'An error, in the platform error model',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
  }
  return document;
}

/**
 * Only the schemas the API uses: the validation metadata holds every DTO class loaded in the
 * process, internal ones included.
 */
function reachableSchemas(document: OpenAPIObject): Record<string, object> {
  const all = (document.components?.schemas ?? {}) as Record<string, object>;
  const kept: Record<string, object> = {};
  const pending = [JSON.stringify(document.paths), '"#/components/schemas/Error"'];
  while (pending.length > 0) {
    const text = pending.pop() ?? '';
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (!name || kept[name] || !all[name]) continue;
      kept[name] = all[name];
      pending.push(JSON.stringify(all[name]));
    }
  }
  return Object.fromEntries(Object.entries(kept).sort(([a], [b]) => a.localeCompare(b)));
}

export function mountOpenApi(app: INestApplication, publicUrl: string): void {
  const document = buildOpenApiDocument(app, publicUrl);
  // Before the routes: a documented path asked with a method it does not take is 405.
  app.use(methodNotAllowed(document));
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: 'Assistant platform API',
  });
}
