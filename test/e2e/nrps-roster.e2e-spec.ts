import { PlatformsService } from '../../src/platforms/platforms.service';
import { ROSTER_REFRESH_MS, RosterService } from '../../src/roster/roster.service';
import { attachNrps, EmulatedMember, instructorMember, learnerMember, NrpsEmulator } from '../support/emulator-nrps';
import { ManualClock } from '../support/manual-clock';
import { LaunchOptions, LaunchResult, startLtiTestbed, LtiTestbed } from '../support/platform-emulator';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';

/** The player URL a successful learner launch hands the browser (the launch was not delayed or failed). */
function playerUrl(res: LaunchResult): string {
  const url = /data-player-url="([^"]+)"/.exec(res.text)?.[1];
  if (res.status !== 200 || !url) {
    throw new Error(`the launch did not reach the player: ${res.status} ${res.text.slice(0, 300)}`);
  }
  return url;
}

/**
 * Names and Roles rosters (issue 9) through the platform emulator over real HTTP: paging with `Link`
 * headers, the refresh window on the app's clock, failures that never reach the launch, and the
 * service API that reports read.
 */
describe('NRPS roster: fetched in the background of a launch, paged, cached, failures contained (e2e)', () => {
  let tb: LtiTestbed;
  let nrps: NrpsEmulator;
  let roster: RosterService;
  const clock = new ManualClock();
  const ctx = 'ctx-0001';
  /** A launch whose id_token times are on the tool's clock (which the tests move). */
  const launch = (sub: string, o: Partial<LaunchOptions> = {}) => {
    const iat = Math.floor(clock.now() / 1000);
    return tb.emu.launch({ toolUrl: tb.app.appUrl, courseId: tb.courseId, claims: { sub }, finalClaims: { iat, exp: iat + 60 }, ...o });
  };
  const class1: EmulatedMember[] = [
    learnerMember('learner-0001', 'Ada Learner'),
    learnerMember('u-2', 'Brook Brown'),
    learnerMember('u-3', 'Cyd Clark'),
    learnerMember('u-4', 'Dee Dunn', { status: 'Inactive' }),
    learnerMember('u-5', 'Eve Evans'),
    instructorMember('teacher-1', 'Tess Teacher'),
  ];

  beforeAll(async () => {
    tb = await startLtiTestbed({ clock });
    nrps = attachNrps(tb.emu);
    nrps.pageSize = 2;
    nrps.setMembers(ctx, class1, 'Biology 101 (LMS)');
    roster = tb.app.server.app.get(RosterService);
  });

  afterAll(async () => {
    await tb.close();
  });

  it('should fetch every page through the Link headers after the launch, with a service token of the NRPS scope', async () => {
    expect((await roster.roster(tb.platformId, ctx)).state).toBe('none');
    playerUrl(await launch('learner-0001'));
    await roster.idle();
    const pages = nrps.requestsOf(ctx);
    expect(pages.map((r) => [new URL(r.url).searchParams.get('page'), r.status, r.accept])).toEqual([
      [null, 200, 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json'],
      ['1', 200, 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json'],
      ['2', 200, 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json'],
    ]);
    const tokenScopes = tb.emu.received.filter((r) => r.path === '/token').map((r) => new URLSearchParams(r.body).get('scope'));
    expect(tokenScopes).toContain('https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly');
    const got = await roster.roster(tb.platformId, ctx);
    expect(got).toMatchObject({ platformId: tb.platformId, contextId: ctx, contextTitle: 'Biology 101 (LMS)', state: 'ok', error: null, fetchedAt: new Date(clock.now()).toISOString() });
    expect(got.members.map((m) => [m.userId, m.name, m.status, m.learner])).toEqual([
      ['u-2', 'Brook Brown', 'Active', true],
      ['u-3', 'Cyd Clark', 'Active', true],
      ['u-4', 'Dee Dunn', 'Inactive', true],
      ['u-5', 'Eve Evans', 'Active', true],
      ['learner-0001', 'Ada Learner', 'Active', true],
      ['teacher-1', 'Tess Teacher', 'Active', false],
    ]);
    expect(got.members[0]).toEqual({
      userId: 'u-2',
      name: 'Brook Brown',
      givenName: 'Brook',
      familyName: 'Brown',
      email: 'u-2@example.edu',
      roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      status: 'Active',
      learner: true,
    });
  });

  it('should not fetch again within the refresh window, and fetch again (replacing the members) after it', async () => {
    const before = nrps.requestsOf(ctx).length;
    clock.advance(ROSTER_REFRESH_MS - 1000);
    playerUrl(await launch('u-2'));
    playerUrl(await launch('learner-0001'));
    await roster.idle();
    expect(nrps.requestsOf(ctx).length).toBe(before);
    nrps.setMembers(ctx, [...class1.filter((m) => m.user_id !== 'u-5'), learnerMember('u-6', 'Fay Fox')], 'Biology 101 (LMS)');
    clock.advance(2000);
    playerUrl(await launch('u-3'));
    await roster.idle();
    expect(nrps.requestsOf(ctx).length).toBe(before + 3);
    const got = await roster.roster(tb.platformId, ctx);
    expect(got.members.map((m) => m.userId).sort()).toEqual(['learner-0001', 'teacher-1', 'u-2', 'u-3', 'u-4', 'u-6']);
    expect(got.fetchedAt).toBe(new Date(clock.now()).toISOString());
  });

  it('should launch normally when the memberships service fails, and keep the last roster marked unavailable', async () => {
    clock.advance(ROSTER_REFRESH_MS + 1);
    const fetchedAt = (await roster.roster(tb.platformId, ctx)).fetchedAt;
    nrps.failNext(1, 500, 'database exploded');
    playerUrl(await launch('u-2'));
    await roster.idle();
    const got = await roster.roster(tb.platformId, ctx);
    expect(got).toMatchObject({ state: 'unavailable', fetchedAt });
    expect(got.error).toBe('The LMS answered 500 to the memberships request: database exploded');
    expect(got.members).toHaveLength(6);
    // a failure also waits for the window: no fetch on every launch against a failing LMS
    const seen = nrps.requestsOf(ctx).length;
    playerUrl(await launch('u-3'));
    await roster.idle();
    expect(nrps.requestsOf(ctx).length).toBe(seen);
  });

  it('should answer the launch while the LMS has not answered the roster yet', async () => {
    clock.advance(ROSTER_REFRESH_MS + 1);
    const release = nrps.hold();
    try {
      playerUrl(await launch('u-4'));
      expect((await roster.roster(tb.platformId, ctx)).state).toBe('unavailable'); // not fetched yet
    } finally {
      release();
    }
    await roster.idle();
    expect((await roster.roster(tb.platformId, ctx)).state).toBe('ok');
  });

  it('should fetch nothing for a launch without the memberships claim or without a context, and say so when the scope was not granted', async () => {
    const seen = nrps.requests.length;
    nrps.setMembers('ctx-2', [learnerMember('u-9', 'Gus Green')]);
    playerUrl(await launch('u-9', { claims: { sub: 'u-9', [NRPS_CLAIM]: undefined, [`${LTI}context`]: { id: 'ctx-2', title: 'Chemistry' } } }));
    playerUrl(await launch('u-9', { claims: { sub: 'u-9', [`${LTI}context`]: undefined, [`${LTI}resource_link`]: { id: 'link-no-context' } } }));
    await roster.idle();
    expect(nrps.requests.length).toBe(seen);
    expect((await roster.roster(tb.platformId, 'ctx-2')).state).toBe('none');

    const platforms = tb.app.server.app.get(PlatformsService);
    await platforms.setGrantedScopes(tb.platformId, 'https://purl.imsglobal.org/spec/lti-ags/scope/score');
    try {
      playerUrl(
        await launch('u-9', {
          claims: { sub: 'u-9', [`${LTI}context`]: { id: 'ctx-2', title: 'Chemistry' }, [NRPS_CLAIM]: { context_memberships_url: nrps.membershipsUrl('ctx-2'), service_versions: ['2.0'] } },
        }),
      );
      await roster.idle();
      expect(nrps.requests.length).toBe(seen);
      expect(await roster.roster(tb.platformId, 'ctx-2')).toMatchObject({ state: 'unavailable', error: 'The LMS did not grant the Names and Roles scope when the tool was registered.', members: [] });
    } finally {
      await platforms.setGrantedScopes(tb.platformId, 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly');
    }
  });

  it('should list the contexts of a customer with their member and learner counts', async () => {
    const api = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${tb.app.appUrl}${url}`, { method, headers: { ...tb.app.auth, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (await res.json()) as { id: string };
    };
    const customer = await api('POST', '/api/customers', { name: 'Roster College' });
    const other = await api('POST', '/api/customers', { name: 'Nobody Inc' });
    await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId: customer.id });
    try {
      const contexts = await roster.contextsOfCustomer(customer.id);
      expect(contexts.map((c) => [c.contextId, c.state, c.memberCount, c.learnerCount])).toEqual([
        [ctx, 'ok', 6, 5],
        ['ctx-2', 'unavailable', 0, 0],
      ]);
      expect(await roster.contextsOfCustomer(other.id)).toEqual([]);
    } finally {
      await api('PATCH', `/api/platforms/${tb.platformId}`, { customerId: null });
    }
  });
});

/**
 * What the roster keeps in memory per context (the time it last tried, for the window without a
 * query) is forgotten once the window is over, so a long-running server does not keep an entry for
 * every context it ever saw (docs/deployment.md, "What instances share"); the answers stay the same.
 */
describe('NRPS roster: contexts tried, in memory (e2e)', () => {
  let tb: LtiTestbed;
  let nrps: NrpsEmulator;
  let roster: RosterService;
  const clock = new ManualClock();
  const inContext = (sub: string, id: string) => {
    const iat = Math.floor(clock.now() / 1000);
    return tb.emu.launch({
      toolUrl: tb.app.appUrl,
      courseId: tb.courseId,
      claims: { sub, [`${LTI}context`]: { id, title: id }, [NRPS_CLAIM]: { context_memberships_url: nrps.membershipsUrl(id), service_versions: ['2.0'] } },
      finalClaims: { iat, exp: iat + 60 },
    });
  };
  /** The contexts whose last try this process remembers, oldest first. */
  const remembered = () => [...roster['triedAt'].keys()].map((key) => key.split('\n')[1]);

  beforeAll(async () => {
    tb = await startLtiTestbed({ clock });
    nrps = attachNrps(tb.emu);
    for (const id of ['ctx-a', 'ctx-b', 'ctx-c']) {
      nrps.setMembers(id, [learnerMember('u-1', 'Ann Ash')]);
    }
    roster = tb.app.server.app.get(RosterService);
  });

  afterAll(async () => {
    await tb.close();
  });

  it('should forget the contexts it tried once their window is over, and fetch them again as before', async () => {
    for (const id of ['ctx-a', 'ctx-b']) {
      playerUrl(await inContext('u-1', id));
    }
    await roster.idle();
    expect(remembered()).toEqual(['ctx-a', 'ctx-b']);

    clock.advance(ROSTER_REFRESH_MS);
    playerUrl(await inContext('u-1', 'ctx-c'));
    await roster.idle();
    expect(remembered()).toEqual(['ctx-c']);

    const seen = nrps.requestsOf('ctx-a').length;
    playerUrl(await inContext('u-1', 'ctx-a')); // past its window: fetched again
    playerUrl(await inContext('u-1', 'ctx-c')); // within its window: not
    await roster.idle();
    expect(nrps.requestsOf('ctx-a').length).toBe(seen + 1);
    expect(nrps.requestsOf('ctx-c')).toHaveLength(1);
    expect(remembered()).toEqual(['ctx-c', 'ctx-a']);
  });
});
