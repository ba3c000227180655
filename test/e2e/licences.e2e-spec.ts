import { adminApi } from '../support/admin-api';
import { ManualClock } from '../support/manual-clock';
import { LtiTestbed, startLtiTestbed } from '../support/platform-emulator';
import { buildFixtureZip } from '../support/scorm-package.builder';

const DAY = 24 * 3600 * 1000;

describe('Licences API (issue 9): /api/licences over real HTTP', () => {
  let tb: LtiTestbed;
  const clock = new ManualClock();
  let acme: string;
  let beta: string;
  let otherCourse: string;

  const api = adminApi(() => tb.app);

  const iso = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    tb = await startLtiTestbed({ clock });
    acme = (await api('POST', '/api/customers', { name: 'Acme Training' })).body.id as string;
    beta = (await api('POST', '/api/customers', { name: 'Beta College' })).body.id as string;
    const form = new FormData();
    form.append('package', new Blob([new Uint8Array(await buildFixtureZip('scorm12-multi-sco'))], { type: 'application/zip' }), 'other.zip');
    otherCourse = ((await (await fetch(`${tb.app.appUrl}/api/courses`, { method: 'POST', headers: tb.app.auth, body: form })).json()) as { id: string }).id;
  });

  afterAll(async () => {
    await tb.close();
  });

  it('should create, read, change and delete a licence, with names, seats used, status and warnings', async () => {
    const courseTitle = (await api('GET', `/api/courses/${tb.courseId}`)).body.title as string;
    const created = await api('POST', '/api/licences', { customerId: acme, courseId: tb.courseId, seatLimit: 25, notes: ' Pilot ' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      customerId: acme,
      customerName: 'Acme Training',
      courseId: tb.courseId,
      courseTitle,
      seatLimit: 25,
      seatsUsed: 0,
      startsAt: null,
      endsAt: null,
      state: 'active',
      status: 'usable',
      warnings: [],
      notes: 'Pilot',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const id = created.body.id as string;
    expect((await api('GET', `/api/licences/${id}`)).body).toEqual(created.body);
    const endsAt = iso(clock.now() + 10 * DAY);
    const changed = await api('PATCH', `/api/licences/${id}`, { seatLimit: null, endsAt, notes: null });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ seatLimit: null, endsAt, notes: null, status: 'usable', warnings: ['ending_soon'] });
    expect((await api('DELETE', `/api/licences/${id}`)).status).toBe(204);
    expect(await api('GET', `/api/licences/${id}`)).toEqual({ status: 404, body: { error: 'licence_not_found', message: `No licence with id "${id}" exists.` } });
  });

  it('should give each licence its status from its state and dates, and flag those ending within 30 days', async () => {
    const now = clock.now();
    const cases: Array<[Record<string, unknown>, string, string[]]> = [
      [{}, 'usable', []],
      [{ startsAt: iso(now + DAY) }, 'not_started', []],
      [{ startsAt: iso(now) }, 'usable', []],
      [{ endsAt: iso(now) }, 'expired', []],
      [{ endsAt: iso(now + 1) }, 'usable', ['ending_soon']],
      [{ endsAt: iso(now + 30 * DAY) }, 'usable', ['ending_soon']],
      [{ endsAt: iso(now + 31 * DAY) }, 'usable', []],
      [{ state: 'suspended', endsAt: iso(now + DAY) }, 'suspended', ['ending_soon']],
      [{ state: 'revoked', startsAt: iso(now + DAY) }, 'revoked', []],
    ];
    for (const [fields, status, warnings] of cases) {
      const res = await api('POST', '/api/licences', { customerId: beta, courseId: null, ...fields });
      expect({ fields, status: res.status, licence: { status: res.body.status, warnings: res.body.warnings } }).toEqual({ fields, status: 201, licence: { status, warnings } });
      expect(res.body).toMatchObject({ courseId: null, courseTitle: null, customerName: 'Beta College' });
      await api('DELETE', `/api/licences/${res.body.id}`);
    }
  });

  it('should filter by customer and by course (a course’s own licences and the every-course ones)', async () => {
    const a1 = (await api('POST', '/api/licences', { customerId: acme, courseId: tb.courseId })).body.id;
    const a2 = (await api('POST', '/api/licences', { customerId: acme, courseId: otherCourse })).body.id;
    const b1 = (await api('POST', '/api/licences', { customerId: beta })).body.id;
    const ids = async (q: string) => ((await api('GET', `/api/licences${q}`)).body as Array<{ id: string }>).map((l) => l.id).sort();
    expect(await ids('')).toEqual([a1, a2, b1].sort());
    expect(await ids(`?customerId=${acme}`)).toEqual([a1, a2].sort());
    expect(await ids(`?courseId=${otherCourse}`)).toEqual([a2, b1].sort());
    expect(await ids(`?customerId=${beta}&courseId=${tb.courseId}`)).toEqual([b1]);
    expect(await ids(`?customerId=${acme}&courseId=no-such-course`)).toEqual([]);
    for (const id of [a1, a2, b1]) {
      expect((await api('DELETE', `/api/licences/${id}`)).status).toBe(204);
    }
  });

  it('should refuse bad bodies with named errors and store nothing', async () => {
    const cases: Array<[unknown, number, string, RegExp]> = [
      [{}, 400, 'licence_invalid', /^customerId must be the id of an existing customer/],
      [{ customerId: acme, seatLimit: 0 }, 400, 'licence_invalid', /^seatLimit must be a whole number from 1 to 1000000, or null/],
      [{ customerId: acme, seatLimit: 2.5 }, 400, 'licence_invalid', /^seatLimit must be a whole number/],
      [{ customerId: acme, seatLimit: '10' }, 400, 'licence_invalid', /^seatLimit must be a whole number/],
      [{ customerId: acme, startsAt: 'next monday' }, 400, 'licence_invalid', /^startsAt must be an ISO 8601 date-time/],
      [{ customerId: acme, state: 'paused' }, 400, 'licence_invalid', /^state must be one of active, suspended, revoked/],
      [{ customerId: acme, state: null }, 400, 'licence_invalid', /^state must be one of/],
      [{ customerId: acme, courseId: 7 }, 400, 'licence_invalid', /^courseId must be the id of an existing course, or null/],
      [{ customerId: acme, colour: 'red' }, 400, 'licence_invalid', /no field "colour"/],
      [{ customerId: acme, startsAt: '2027-02-01T00:00:00Z', endsAt: '2027-02-01T00:00:00Z' }, 400, 'licence_invalid', /^endsAt \(2027-02-01T00:00:00.000Z\) must be after startsAt/],
      [{ customerId: 'no-such-customer' }, 422, 'customer_not_found', /"no-such-customer"/],
      [{ customerId: acme, courseId: 'no-such-course' }, 422, 'course_not_found', /"no-such-course"/],
    ];
    for (const [body, status, error, message] of cases) {
      const res = await api('POST', '/api/licences', body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status, error });
      expect(res.body.message).toMatch(message);
    }
    expect((await api('GET', '/api/licences')).body).toEqual([]);

    const id = (await api('POST', '/api/licences', { customerId: acme, startsAt: '2027-03-01T00:00:00Z' })).body.id as string;
    const patches: Array<[unknown, number, string]> = [
      [{ customerId: beta }, 400, 'licence_invalid'],
      [{ endsAt: '2027-02-01T00:00:00Z' }, 400, 'licence_invalid'],
      [{ courseId: 'no-such-course' }, 422, 'course_not_found'],
      [{ seatLimit: -1 }, 400, 'licence_invalid'],
    ];
    for (const [body, status, error] of patches) {
      const res = await api('PATCH', `/api/licences/${id}`, body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status, error });
    }
    expect((await api('GET', `/api/licences/${id}`)).body).toMatchObject({ customerId: acme, courseId: null, startsAt: '2027-03-01T00:00:00.000Z', endsAt: null, seatLimit: null });
    expect((await api('PATCH', '/api/licences/nope', { notes: 'x' })).body.error).toBe('licence_not_found');
    expect((await api('DELETE', '/api/licences/nope')).status).toBe(404);
    await api('DELETE', `/api/licences/${id}`);
  });

  it('should delete a customer’s licences with the customer', async () => {
    const gone = (await api('POST', '/api/customers', { name: 'Short-lived' })).body.id as string;
    await api('POST', '/api/licences', { customerId: gone });
    expect((await api('GET', `/api/licences?customerId=${gone}`)).body).toHaveLength(1);
    expect((await api('DELETE', `/api/customers/${gone}`)).status).toBe(204);
    expect((await api('GET', `/api/licences?customerId=${gone}`)).body).toEqual([]);
  });

  it('should refuse the API without the admin token and be in the OpenAPI description', async () => {
    const res = await fetch(`${tb.app.appUrl}/api/licences`);
    expect(res.status).toBe(401);
    const doc = (await (await fetch(`${tb.app.appUrl}/api/docs.json`)).json()) as { paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>> };
    expect(Object.keys(doc.paths['/api/licences']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/licences/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/api/licences'].get.parameters?.map((p) => p.name).sort()).toEqual(['courseId', 'customerId', 'format']);
  });
});
