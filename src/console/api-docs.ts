import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { PathItemObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Public routes other clients read besides `/api/*` (docs/rest-api.md), kept in the description. */
const PUBLIC_PATHS = new Set(['/lti/config', '/.well-known/jwks.json', '/health']);

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string', example: 'course_not_found' }, message: { type: 'string' } },
};

/**
 * Builds the OpenAPI 3 description of the public contract from the app's controllers: summaries,
 * bodies and queries come from their `@ApiOperation`/`@ApiProperty` decorators and DTO classes;
 * here only what holds for every route (tag by path, admin security, the error envelope).
 */
export function buildApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('SCORM LTI bridge API')
    .setDescription(
      'Admin API of the SCORM-to-LTI bridge (docs/rest-api.md). Every /api route needs the admin token as "Authorization: Bearer <token>" ' +
        '(or the console session cookie plus the X-CSRF-Token header). Errors are JSON { "error": "<code>", "message": "<sentence>" }.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The admin token (ADMIN_TOKEN).' }, 'admin')
    .addSecurityRequirements('admin')
    .build();
  const doc = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  const paths: Record<string, PathItemObject> = {};
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!p.startsWith('/api/') && !PUBLIC_PATHS.has(p)) {
      continue; // LTI browser routes, the player and the console pages are not an API
    }
    for (const method of ['get', 'post', 'patch', 'put', 'delete'] as const) {
      const op = item[method];
      if (!op) {continue;}
      op.tags = [p.split('/')[p.startsWith('/api/') ? 2 : 1].replace(/^\./, '') || 'default'];
      if (!p.startsWith('/api/')) {
        op.security = [];
      }
      op.responses = {
        ...op.responses,
        ...(p.startsWith('/api/') ? { '401': { description: 'No or wrong admin token.', content: { 'application/json': { schema: ERROR_SCHEMA } } } } : {}),
        default: { description: 'Error', content: { 'application/json': { schema: ERROR_SCHEMA } } },
      };
    }
    paths[p] = item;
  }
  doc.paths = paths;
  return doc;
}

/**
 * Serves the description at `/api/docs.json` and a readable page at `/api/docs` (issue 5: "OpenAPI 3
 * description of /api/* generated from the code"). Called once while the app is built.
 */
export function setupApiDocs(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, () => buildApiDocument(app), {
    jsonDocumentUrl: 'api/docs.json',
    raw: ['json'],
    customSiteTitle: 'SCORM LTI bridge API',
  });
}
