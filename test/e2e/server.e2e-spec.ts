import request from 'supertest';
import { createTestApp, TestApp } from '../support/app';

describe('Server', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('GET /health', () => {
    it('should report the database and storage as ready', async () => {
      const res = await request(t.appUrl).get('/health').expect(200);
      expect(res.body).toEqual({ status: 'ok', checks: { database: 'ok', storage: 'ok' } });
    });
  });

  describe('admin auth on /api/*', () => {
    it('should refuse a request without a token with the error envelope', async () => {
      const res = await request(t.appUrl).get('/api/courses').expect(401);
      expect(res.body).toEqual({ error: 'unauthorized', message: expect.stringMatching(/Bearer/) });
    });

    it('should refuse a wrong token', async () => {
      const res = await request(t.appUrl).get('/api/courses').set('Authorization', 'Bearer wrong-token-wrong-token').expect(401);
      expect(res.body.error).toBe('unauthorized');
    });

    it('should accept the admin token', async () => {
      const res = await request(t.appUrl).get('/api/courses').set(t.auth).expect(200);
      expect(res.body).toEqual([]);
    });
  });

  describe('origins', () => {
    it('should not serve the API on the content origin', async () => {
      const res = await request(t.contentUrl).get('/api/courses').set(t.auth).expect(404);
      expect(res.body.error).toBe('wrong_origin');
    });

    it('should not serve course files on the app origin', async () => {
      await request(t.appUrl).get('/content/00000000-0000-0000-0000-000000000000/x/index.html').expect(404);
    });

    it('should answer unknown routes with the error envelope', async () => {
      const res = await request(t.appUrl).get('/api/nothing-here').set(t.auth).expect(404);
      expect(res.body).toEqual({ error: 'not_found', message: expect.any(String) });
    });
  });
});
