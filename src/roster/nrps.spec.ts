import { NrpsFormatError, parseMembershipPage } from './nrps';

describe('parseMembershipPage (NRPS 2.0 §2.2)', () => {
  const page = (members: unknown, context: unknown = { id: 'c1', title: 'Biology' }) => JSON.stringify({ id: 'https://lms.example/m', context, members });

  it('reads members, their names, roles and status (absent means Active), and the context title', () => {
    expect(
      parseMembershipPage(
        page([
          { user_id: 'u1', name: 'Ada L', given_name: 'Ada', family_name: 'L', email: 'a@x', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner', 7] },
          { user_id: 'u2', status: 'Inactive', roles: ['Instructor'] },
        ]),
      ),
    ).toEqual({
      contextTitle: 'Biology',
      members: [
        { userId: 'u1', name: 'Ada L', givenName: 'Ada', familyName: 'L', email: 'a@x', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], status: 'Active' },
        { userId: 'u2', name: null, givenName: null, familyName: null, email: null, roles: ['Instructor'], status: 'Inactive' },
      ],
    });
  });

  it('leaves out members without a user_id, Deleted ones and unknown statuses', () => {
    const got = parseMembershipPage(page([{ name: 'No id' }, { user_id: '' }, { user_id: 'gone', status: 'Deleted' }, { user_id: 'odd', status: 'Lurking' }, null, { user_id: 'ok' }]));
    expect(got.members.map((m) => m.userId)).toEqual(['ok']);
    expect(parseMembershipPage(page([], null)).contextTitle).toBeNull();
  });

  it('refuses an answer that is not a membership container', () => {
    expect(() => parseMembershipPage('<html>login</html>')).toThrow(new NrpsFormatError('The memberships answer is not JSON.'));
    expect(() => parseMembershipPage('{"members":"all"}')).toThrow('The memberships answer has no "members" list.');
    expect(() => parseMembershipPage('null')).toThrow(NrpsFormatError);
  });
});
