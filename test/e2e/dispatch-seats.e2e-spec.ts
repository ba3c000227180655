import { DataSource } from 'typeorm';
import { Learner } from '../../src/attempts/learner.entity';
import { lmsSeatId } from '../../src/dispatch/dispatch-launch.service';
import { LicenceSeat } from '../../src/licences/licence-seat.entity';
import { adminApi } from '../support/admin-api';
import { ensurePlayerBuilt } from '../support/browser';
import { dispatchLaunch } from '../support/dispatch';
import { LtiTestbed, startLtiTestbed } from '../support/platform-emulator';

/**
 * Seats of dispatch learners (docs/dispatch.md "Seats"): a seat names the LMS (the LMS page's origin,
 * or the customer's LTI platform on that origin), not the dispatch, so one learner reaching the
 * customer's courses through several dispatches, or through a dispatch and an LTI launch from the
 * same LMS, holds one place in an every-course licence. Real HTTP, the LTI platform emulator.
 */
describe('Dispatch seats: one learner of one LMS is one seat, however they arrive (real HTTP)', () => {
  let tb: LtiTestbed;
  let customer: string;
  const api = adminApi(() => tb.app);
  const db = () => tb.app.server.app.get(DataSource);
  const tokenOf = (d: { launchUrl: string }) => d.launchUrl.split('/dispatch/')[1];
  const seats = async () => (await db().getRepository(LicenceSeat).find({ where: { customerId: customer } })).map((s) => `${s.platformId}/${s.sub}`).sort();

  beforeAll(async () => {
    ensurePlayerBuilt();
    tb = await startLtiTestbed();
    customer = (await api('POST', '/api/customers', { name: 'Acme' })).body.id;
    expect((await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId: customer })).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await tb?.close();
  });

  it('should count a learner once under an every-course licence of one seat: two dispatches of the course and an LTI launch from the same LMS', async () => {
    const licence = (await api('POST', '/api/licences', { customerId: customer, courseId: null, seatLimit: 1 })).body.id as string;
    const first = (await api('POST', `/api/customers/${customer}/dispatches`, { courseId: tb.courseId, title: 'Department A' })).body;
    const second = (await api('POST', `/api/customers/${customer}/dispatches`, { courseId: tb.courseId, title: 'Department B' })).body;
    const lms = new URL(tb.emu.issuer).origin; // the LMS serves the imported packages from its own origin

    expect((await dispatchLaunch(tb.app, tokenOf(first), 'user-7', 'Curie, Marie', { lmsOrigin: lms })).status).toBe(200);
    expect((await dispatchLaunch(tb.app, tokenOf(second), 'user-7', 'Curie, Marie', { lmsOrigin: lms })).status).toBe(200);
    const lti = await tb.emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, claims: { sub: 'user-7' } });
    expect(lti.status).toBeLessThan(400);
    // one seat, named by the LTI platform of that LMS; the licence counts one learner
    expect(await seats()).toEqual([`${tb.platformId}/user-7`]);
    expect((await api('GET', `/api/licences/${licence}`)).body.seatsUsed).toBe(1);
    // the records stay apart: each dispatch is its own learner namespace
    const learners = await db().getRepository(Learner).findBy({ sub: 'user-7' });
    expect(learners.map((r) => r.platformId).sort()).toEqual([first.id, second.id, tb.platformId].sort());

    // another learner of that LMS finds the one seat taken, through either dispatch
    const full = await dispatchLaunch(tb.app, tokenOf(second), 'user-8', null, { lmsOrigin: lms });
    expect(full.body.error).toBe('lti_licence_seats_full');
    await api('PATCH', `/api/licences/${licence}`, { seatLimit: 3 });

    // an LMS the customer has no LTI platform on: its learners' seats are named by its origin, shared by both dispatches
    const other = 'https://lms.acme.example';
    expect((await dispatchLaunch(tb.app, tokenOf(first), 'user-7', null, { lmsOrigin: other })).status).toBe(200);
    expect((await dispatchLaunch(tb.app, tokenOf(second), 'user-7', null, { lmsOrigin: other })).status).toBe(200);
    // a package page too old to say its origin: the dispatch stands for the LMS
    expect((await dispatchLaunch(tb.app, tokenOf(first), 'user-7')).status).toBe(200);
    expect(await seats()).toEqual([`${first.id}/user-7`, `${lmsSeatId(customer, other)}/user-7`, `${tb.platformId}/user-7`].sort());
    expect((await api('GET', `/api/licences/${licence}`)).body.seatsUsed).toBe(3);

    // an origin is an origin: a path, a null origin or another scheme is refused before any seat
    for (const bad of ['https://lms.acme.example/path', 'null', 'javascript:alert(1)']) {
      const res = await dispatchLaunch(tb.app, tokenOf(first), 'user-9', null, { lmsOrigin: bad });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('dispatch_launch_invalid');
    }
    expect((await seats()).some((s) => s.endsWith('/user-9'))).toBe(false);
  });
});
