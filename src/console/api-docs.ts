import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject, PathItemObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Public routes other clients read besides `/api/*` (DESIGN §3), kept in the description. */
const PUBLIC_PATHS = new Set(['/lti/config', '/.well-known/jwks.json', '/health']);

/**
 * What the controllers cannot say by themselves (their bodies are validated by services, and uploads
 * go through an interceptor), keyed by "METHOD path". Tags come from the path; everything else
 * (paths, methods, parameters, status codes) is scanned from the controllers.
 */
const NOTES: Record<string, { summary: string; body?: 'package' | 'platform' }> = {
  'POST /api/courses': { summary: 'Import a SCORM package as a new course (multipart field "package"); 201 with the course and its warnings.', body: 'package' },
  'POST /api/courses/{id}/versions': { summary: 'Upload a new version of a course (multipart field "package"). Open attempts stay on their version.', body: 'package' },
  'GET /api/courses': { summary: 'List courses, newest first; ?search= filters by title.' },
  'GET /api/courses/{id}': { summary: 'One course with its item tree and all versions.' },
  'POST /api/courses/{id}/preview': { summary: 'Start (or resume) a preview attempt as a test learner; answers a one-time player URL on the content origin. Never graded.' },
  'GET /api/course-stats': { summary: 'Learners and attempts per course (previews excluded).' },
  'POST /api/platforms': { summary: 'Register an LMS (issuer, clientId, endpoints, deploymentIds[]).', body: 'platform' },
  'GET /api/platforms': { summary: 'List registered LMS platforms with their deployments.' },
  'GET /api/platforms/{id}': { summary: 'One registered platform.' },
  'PATCH /api/platforms/{id}': { summary: 'Change a platform; fields left out keep their value.', body: 'platform' },
  'DELETE /api/platforms/{id}': { summary: 'Remove a platform registration.' },
  'GET /api/attempts': { summary: "Learners' attempts of a course (?courseId=) with completion, success, score and grade passback state." },
  'GET /api/grade-deliveries/{id}': { summary: 'One grade delivery to an LMS gradebook.' },
  'POST /api/grade-deliveries/{id}/resend': { summary: 'Send a failed or superseded grade again.' },
  'POST /api/keys/rotate': { summary: 'Rotate the tool signing key; the previous key stays published.' },
  'GET /lti/config': { summary: 'The values to paste into an LMS (login URL, redirect URIs, JWKS URL, deep linking and dynamic registration URLs, scopes).' },
  'GET /.well-known/jwks.json': { summary: 'Tool public keys (RS256, with kid).' },
  'GET /health': { summary: 'Liveness and readiness.' },
};

const BODIES = {
  package: {
    required: true,
    content: {
      'multipart/form-data': {
        schema: { type: 'object', required: ['package'], properties: { package: { type: 'string', format: 'binary', description: 'The SCORM zip.' } } },
      },
    },
  },
  platform: {
    required: true,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            issuer: { type: 'string', format: 'uri' },
            clientId: { type: 'string' },
            authorizationEndpoint: { type: 'string', format: 'uri' },
            tokenEndpoint: { type: 'string', format: 'uri' },
            tokenAudience: { type: 'string', nullable: true },
            jwksUri: { type: 'string', format: 'uri' },
            deploymentIds: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string', example: 'course_not_found' }, message: { type: 'string' } },
};

/** Builds the OpenAPI 3 description of the public contract from the app's controllers. */
export function buildApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('SCORM LTI bridge API')
    .setDescription(
      'Admin API of the SCORM-to-LTI bridge (DESIGN §3). Every /api route needs the admin token as "Authorization: Bearer <token>" ' +
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
      const note = NOTES[`${method.toUpperCase()} ${p}`];
      op.tags = [p.split('/')[p.startsWith('/api/') ? 2 : 1].replace(/^\./, '') || 'default'];
      if (note) {
        op.summary = note.summary;
        if (note.body) {op.requestBody = BODIES[note.body] as unknown as OperationObject['requestBody'];}
      }
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
