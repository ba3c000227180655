import { isPrivilegedRole } from '../protocol/claims';
import { customParams, mapLti11Roles, param } from './lti11-params';

describe('LTI 1.1 launch parameters', () => {
  it('should map LTI 1.1 roles to the LIS v2 form, so one rule decides who is an instructor', () => {
    expect(mapLti11Roles('Instructor,urn:lti:instrole:ims/lis/Administrator')).toEqual([
      'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
      'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
    ]);
    expect(mapLti11Roles('urn:lti:role:ims/lis/TeachingAssistant/Grader')).toEqual([
      'http://purl.imsglobal.org/vocab/lis/v2/membership#TeachingAssistant',
      'http://purl.imsglobal.org/vocab/lis/v2/membership/TeachingAssistant#Grader',
    ]);
    expect(mapLti11Roles('urn:lti:sysrole:ims/lis/SysAdmin')).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin']);
    expect(mapLti11Roles(' Learner , ,http://example.com/odd ')).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner', 'http://example.com/odd']);
    expect(mapLti11Roles(undefined)).toEqual([]);
    for (const r of ['Instructor', 'urn:lti:role:ims/lis/ContentDeveloper', 'urn:lti:instrole:ims/lis/Administrator', 'TeachingAssistant']) {
      expect({ r, privileged: isPrivilegedRole(mapLti11Roles(r)) }).toEqual({ r, privileged: true });
    }
    for (const r of ['Learner', 'urn:lti:role:ims/lis/Learner/NonCreditLearner', 'Mentor', 'urn:lti:instrole:ims/lis/Student', '']) {
      expect({ r, privileged: isPrivilegedRole(mapLti11Roles(r)) }).toEqual({ r, privileged: false });
    }
  });

  it('should read single parameters and custom ones', () => {
    expect(param({ a: 'x', b: ['1', '2'], c: '  ' }, 'a')).toBe('x');
    expect(param({ b: ['1', '2'] }, 'b')).toBeUndefined();
    expect(param({ c: '  ' }, 'c')).toBeUndefined();
    expect(customParams({ custom_course_id: 'c1', custom_x: ['a', 'b'], user_id: 'u' })).toEqual({ course_id: 'c1' });
  });
});
