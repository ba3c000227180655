// @ts-check
// Every API call the console makes, one typed function each (the "Drives" column of ../README.md).
import { api, getText, uploadPackage } from './api.js';

/**
 * @typedef {import('./types').SessionState} SessionState
 * @typedef {import('./types').Course} Course
 * @typedef {import('./types').CourseStats} CourseStats
 * @typedef {import('./types').GradePolicy} GradePolicy
 * @typedef {import('./types').Preview} Preview
 * @typedef {import('./types').LtiConfig} LtiConfig
 * @typedef {import('./types').Platform} Platform
 * @typedef {import('./types').PlatformInput} PlatformInput
 * @typedef {import('./types').Attempt} Attempt
 * @typedef {import('./types').Customer} Customer
 * @typedef {import('./types').CustomerInput} CustomerInput
 * @typedef {import('./types').RegistrationLink} RegistrationLink
 * @typedef {import('./types').RegistrationLinkInput} RegistrationLinkInput
 * @typedef {import('./types').NewRegistrationLink} NewRegistrationLink
 * @typedef {import('./types').CustomerUsage} CustomerUsage
 * @typedef {import('./types').CustomerReport} CustomerReport
 * @typedef {import('./types').CourseUsage} CourseUsage
 * @typedef {import('./types').CourseReport} CourseReport
 * @typedef {import('./types').Licence} Licence
 * @typedef {import('./types').LicenceInput} LicenceInput
 * @typedef {import('./types').Dispatch} Dispatch
 * @typedef {import('./types').Lti11Key} Lti11Key
 * @typedef {import('./types').NewLti11Key} NewLti11Key
 */

const enc = encodeURIComponent;

/** @returns {Promise<SessionState>} */
export const getSession = () => api('GET', '/console/session');
/** @param {string} token @returns {Promise<SessionState & { csrfToken: string }>} */
export const createSession = (token) => api('POST', '/console/session', { token });
/** @returns {Promise<null>} */
export const deleteSession = () => api('DELETE', '/console/session');

/** @param {string} [search] @returns {Promise<Course[]>} */
export const listCourses = (search) => api('GET', `/api/courses${search ? `?search=${enc(search)}` : ''}`);
/** @param {string} id @returns {Promise<Course>} */
export const getCourse = (id) => api('GET', `/api/courses/${enc(id)}`);
/** @param {string} id @param {GradePolicy} gradePolicy @returns {Promise<Course>} */
export const saveGradePolicy = (id, gradePolicy) => api('PATCH', `/api/courses/${enc(id)}`, { gradePolicy });
/** @returns {Promise<CourseStats[]>} */
export const courseStats = () => api('GET', '/api/course-stats');
/** @param {string} id @returns {Promise<Preview>} */
export const startPreview = (id) => api('POST', `/api/courses/${enc(id)}/preview`);
/**
 * Where a package is uploaded: a new course, or a new version of `courseId`; `onDuplicate` says what
 * to make of a zip that is already stored (without it the server answers course_duplicate).
 * @param {string} [courseId]
 * @param {'new-version' | 'separate'} [onDuplicate]
 */
export const uploadPath = (courseId, onDuplicate) =>
  `${courseId ? `/api/courses/${enc(courseId)}/versions` : '/api/courses'}${onDuplicate ? `?onDuplicate=${onDuplicate}` : ''}`;
/** @param {string} id @param {string} title @returns {Promise<Course>} */
export const renameCourse = (id, title) => api('PATCH', `/api/courses/${enc(id)}`, { title });
/** @param {string} id @returns {Promise<Course>} */
export const archiveCourse = (id) => api('POST', `/api/courses/${enc(id)}/archive`);
/** @param {string} id @returns {Promise<Course>} */
export const unarchiveCourse = (id) => api('POST', `/api/courses/${enc(id)}/unarchive`);
/** Deletes a course no learner has an attempt on (course_in_use otherwise). @param {string} id @returns {Promise<null>} */
export const deleteCourse = (id) => api('DELETE', `/api/courses/${enc(id)}`);
/** @param {string} path from uploadPath() @param {File} file @param {(fraction: number) => void} onProgress @returns {Promise<Course>} */
export const uploadCourse = (path, file, onProgress) => uploadPackage(path, file, onProgress);

/** @returns {Promise<LtiConfig>} */
export const ltiConfig = () => api('GET', '/lti/config');
/** The link an LMS activity uses to open this course directly. @param {LtiConfig} config @param {string} courseId */
export const courseLink = (config, courseId) => config.targetLinkUriTemplate.replace('{courseId}', enc(courseId));

/** @returns {Promise<Platform[]>} */
export const listPlatforms = () => api('GET', '/api/platforms');
/** @param {PlatformInput} body @returns {Promise<Platform>} */
export const createPlatform = (body) => api('POST', '/api/platforms', body);
/** @param {string} id @param {PlatformInput} body @returns {Promise<Platform>} */
export const updatePlatform = (id, body) => api('PATCH', `/api/platforms/${enc(id)}`, body);
/** @param {string} id @returns {Promise<null>} */
export const deletePlatform = (id) => api('DELETE', `/api/platforms/${enc(id)}`);

/** Binds a platform to a customer, or unbinds it with null. @param {string} platformId @param {string | null} customerId @returns {Promise<Platform>} */
export const assignPlatform = (platformId, customerId) => api('PATCH', `/api/platforms/${enc(platformId)}`, { customerId });

/** @returns {Promise<Customer[]>} */
export const listCustomers = () => api('GET', '/api/customers');
/** @param {string} id @returns {Promise<Customer>} */
export const getCustomer = (id) => api('GET', `/api/customers/${enc(id)}`);
/** @param {CustomerInput} body @returns {Promise<Customer>} */
export const createCustomer = (body) => api('POST', '/api/customers', body);
/** @param {string} id @param {CustomerInput} body @returns {Promise<Customer>} */
export const updateCustomer = (id, body) => api('PATCH', `/api/customers/${enc(id)}`, body);
/** @param {string} id @returns {Promise<null>} */
export const deleteCustomer = (id) => api('DELETE', `/api/customers/${enc(id)}`);
/** @param {string} customerId @returns {Promise<Dispatch[]>} */
export const listDispatches = (customerId) => api('GET', `/api/customers/${enc(customerId)}/dispatches`);
/** @param {string} customerId @param {import('./types').DispatchInput} body @returns {Promise<Dispatch>} */
export const createDispatch = (customerId, body) => api('POST', `/api/customers/${enc(customerId)}/dispatches`, body);
/** @param {string} customerId @param {string} id @returns {Promise<Dispatch>} */
export const revokeDispatch = (customerId, id) => api('POST', `/api/customers/${enc(customerId)}/dispatches/${enc(id)}/revoke`);
/** @param {string} customerId @returns {Promise<Lti11Key[]>} */
export const listLti11Keys = (customerId) => api('GET', `/api/customers/${enc(customerId)}/lti11-credentials`);
/** @param {string} customerId @param {import('./types').Lti11KeyInput} body @returns {Promise<NewLti11Key>} */
export const createLti11Key = (customerId, body) => api('POST', `/api/customers/${enc(customerId)}/lti11-credentials`, body);
/** @param {string} customerId @param {string} id @returns {Promise<Lti11Key>} */
export const revokeLti11Key = (customerId, id) => api('DELETE', `/api/customers/${enc(customerId)}/lti11-credentials/${enc(id)}`);
/** A course's LTI 1.1 configuration XML for the customer's LMS. @param {string} customerId @param {string} courseId @returns {Promise<string>} */
export const lti11Cartridge = (customerId, courseId) => getText(`/api/customers/${enc(customerId)}/lti11-cartridge.xml?courseId=${enc(courseId)}`);
/** @param {string} customerId @returns {Promise<RegistrationLink[]>} */
export const listRegistrationLinks = (customerId) => api('GET', `/api/customers/${enc(customerId)}/registration-links`);
/** @param {string} customerId @param {RegistrationLinkInput} body @returns {Promise<NewRegistrationLink>} */
export const createRegistrationLink = (customerId, body) => api('POST', `/api/customers/${enc(customerId)}/registration-links`, body);
/** @param {string} customerId @param {string} linkId @returns {Promise<RegistrationLink>} */
export const revokeRegistrationLink = (customerId, linkId) => api('DELETE', `/api/customers/${enc(customerId)}/registration-links/${enc(linkId)}`);

/** Where licences are read, optionally filtered. @param {{ customerId?: string, courseId?: string }} [filter] */
export const licencesPath = (filter = {}) => {
  const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString();
  return `/api/licences${q ? `?${q}` : ''}`;
};
/** @param {{ customerId?: string, courseId?: string }} [filter] @returns {Promise<Licence[]>} */
export const listLicences = (filter = {}) => api('GET', licencesPath(filter));
/** @param {string} customerId @param {LicenceInput} body @returns {Promise<Licence>} */
export const createLicence = (customerId, body) => api('POST', '/api/licences', { customerId, ...body });
/** @param {string} id @param {LicenceInput} body @returns {Promise<Licence>} */
export const updateLicence = (id, body) => api('PATCH', `/api/licences/${enc(id)}`, body);
/** @param {string} id @returns {Promise<void>} */
export const deleteLicence = (id) => api('DELETE', `/api/licences/${enc(id)}`);

/** Where a course's attempts are read, optionally one customer's only. @param {string} courseId @param {string} [customerId] */
export const attemptsPath = (courseId, customerId) => `/api/attempts?courseId=${enc(courseId)}${customerId ? `&customerId=${enc(customerId)}` : ''}`;
/** @param {string} courseId @param {string} [customerId] @returns {Promise<Attempt[]>} */
export const listAttempts = (courseId, customerId) => api('GET', attemptsPath(courseId, customerId));
/** @param {string} deliveryId @returns {Promise<unknown>} */
export const resendGrade = (deliveryId) => api('POST', `/api/grade-deliveries/${enc(deliveryId)}/resend`);

export const customerUsagePath = '/api/reports/customers';
/** @returns {Promise<CustomerUsage[]>} */
export const customerUsage = () => api('GET', customerUsagePath);
/** @param {string} id */
export const customerReportPath = (id) => `/api/customers/${enc(id)}/report`;
/** @param {string} id @returns {Promise<CustomerReport>} */
export const customerReport = (id) => api('GET', customerReportPath(id));
export const courseUsagePath = '/api/reports/courses';
/** @returns {Promise<CourseUsage[]>} */
export const courseUsage = () => api('GET', courseUsagePath);
/** @param {string} id */
export const courseReportPath = (id) => `/api/reports/courses/${enc(id)}`;
/** @param {string} id @returns {Promise<CourseReport>} */
export const courseReport = (id) => api('GET', courseReportPath(id));
/** The CSV download of a report or list path (the session cookie goes along: a plain link works). @param {string} path */
export const csvUrl = (path) => `${path}${path.includes('?') ? '&' : '?'}format=csv`;
