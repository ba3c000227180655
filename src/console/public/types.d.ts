// Types for the console's JSDoc: the JSON it reads from and sends to the app's API, as it uses it (a
// subset of the server's DTOs), and dom.js's children. Type-only: never served. test/support/console-api-contract.ts checks at compile time
// that the server's DTOs still fit these shapes, so a renamed field fails `npm run check`.

/** What dom.js h() and render() accept as children (a recursive type JSDoc cannot spell). */
export type Child = Node | string | number | null | undefined | false | Child[];

export interface ApiErrorBody {
  error?: string;
  message?: string;
}

export interface SessionState {
  signedIn: boolean;
  csrfToken?: string;
  expiresAt?: string;
}

export interface ImportWarning {
  code: string;
  message: string;
  path?: string;
}

export interface Version {
  id: string;
  number: number;
  scormVersion: string;
  edition: string | null;
  scos: unknown[];
  warnings: ImportWarning[];
  fileCount: number;
  unpackedBytes: number;
  originalFilename: string;
  createdAt: string;
}

/** A row of the course's version history. */
export interface VersionRow {
  id: string;
  number: number;
  scormVersion: string;
  originalFilename: string;
  packageBytes: number;
  scoCount: number;
  warningCount: number;
  createdAt: string;
}

export interface GradePolicy {
  scoreMaximum: number;
  attempts: 'highest' | 'latest' | 'first';
  completionEarnsFullCredit: boolean;
}

export interface ManifestItem {
  identifier: string;
  title: string;
  isVisible: boolean;
  launchUrl?: string;
  scormType?: 'sco' | 'asset';
  children: ManifestItem[];
}

export interface Course {
  id: string;
  title: string;
  updatedAt: string;
  archivedAt: string | null;
  currentVersion: Version | null;
  gradePolicy: GradePolicy;
  versions?: VersionRow[];
  items?: ManifestItem[];
}

export interface CourseStats {
  courseId: string;
  learners: number;
  attempts: number;
}

/** The stored version a `course_duplicate` refusal names (`duplicate` of its answer). */
export interface DuplicateOf {
  courseId: string;
  courseTitle: string;
  versionId: string;
  versionNumber: number;
  archived: boolean;
}

export interface Preview {
  url: string;
}

/** `GET /lti/config`: the values an LMS admin pastes. */
export interface LtiConfig {
  loginUrl: string;
  redirectUris: string[];
  jwksUrl: string;
  deepLinkingUrl: string;
  dynamicRegistrationUrl: string;
  iconUrl: string;
  targetLinkUri: string;
  /** `{courseId}` stands for the course's id. */
  targetLinkUriTemplate: string;
  /** The LTI 1.1 launch URL of a course, `{courseId}` to fill in. */
  lti11LaunchUrlTemplate: string;
  scopes: string[];
}

/** What the platform form sends (`POST /api/platforms`, `PATCH /api/platforms/:id`). */
export interface PlatformInput {
  name: string;
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  tokenAudience: string | null;
  jwksUri: string;
  deploymentIds: string[];
  /** Sent only when customers exist: the customer this LMS belongs to, null for none. */
  customerId?: string | null;
}

export interface Platform extends PlatformInput {
  id: string;
  registeredBy: string;
  customerId: string | null;
  createdAt: string;
}

/** What the customer form sends (`POST /api/customers`, `PATCH /api/customers/:id`). */
export interface CustomerInput {
  name?: string;
  contact?: string | null;
  notes?: string | null;
  state?: 'active' | 'suspended';
}

/** A client organisation (`/api/customers`). */
export interface Customer {
  id: string;
  name: string;
  contact: string | null;
  notes: string | null;
  state: 'active' | 'suspended';
  platformIds: string[];
  createdAt: string;
  updatedAt: string;
}

/** `POST /api/customers/:id/registration-links`. */
export interface RegistrationLinkInput {
  expiresAt?: string | null;
  maxUses?: number;
}

export interface RegistrationLink {
  id: string;
  customerId: string;
  status: 'usable' | 'used' | 'expired' | 'revoked';
  expiresAt: string | null;
  maxUses: number;
  uses: number;
  revokedAt: string | null;
  createdAt: string;
}

/** The answer to creating a link: the only time its URL is shown. */
export interface NewRegistrationLink extends RegistrationLink {
  url: string;
}

/** The body of a new dispatch. */
export interface DispatchInput {
  courseId: string;
  title?: string | null;
}

/** A dispatch package of a course for a customer's SCORM-only LMS (src/dispatch). */
export interface Dispatch {
  id: string;
  customerId: string;
  courseId: string;
  courseTitle: string | null;
  title: string;
  state: 'active' | 'revoked';
  launchUrl: string;
  /** The zip of each SCORM version, on the API (a plain link works with the session cookie). */
  packages: { '1.2': string; '2004': string };
  createdAt: string;
  revokedAt: string | null;
}

/** The body of a new LTI 1.1 consumer key. */
export interface Lti11KeyInput {
  label?: string | null;
}

/** A customer's LTI 1.1 consumer key (src/lti11): never its secret. */
export interface Lti11Key {
  id: string;
  customerId: string;
  consumerKey: string;
  label: string | null;
  status: 'active' | 'revoked';
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

/** The answer to creating a key: the only time its secret is shown. */
export interface NewLti11Key extends Lti11Key {
  secret: string;
}

export interface GradeDelivery {
  id: string;
  state: string;
  lastError: string | null;
  lastStatus: number | null;
  sentAt: string | null;
}

export interface Attempt {
  id: string;
  number: number;
  preview: boolean;
  resourceLinkTitle: string | null;
  learner: { id: string; sub: string; name: string | null; email: string | null };
  completion: string;
  success: string;
  score: number | null;
  totalTimeSeconds: number;
  startedAt: string;
  endedAt: string | null;
  lastActivityAt: string;
  gradeDelivery: GradeDelivery | null;
}

/** The usage figures every report line carries (docs/rest-api.md "Reports"). */
export interface ReportFigures {
  learners: number;
  attempts: number;
  completions: number;
  passed: number;
  failed: number;
  passRate: number | null;
  averageScore: number | null;
  lastActivityAt: string | null;
  enrolledNotStarted: number | null;
}

/** `GET /api/reports/customers`: one line per customer. */
export interface CustomerUsage extends ReportFigures {
  customerId: string;
  name: string;
  state: string;
  courses: number;
  licences: number;
  licenceWarnings: number;
}

/** A licence as a customer's report shows it (the fields of `GET /api/licences` it reads). */
export interface ReportLicence {
  id: string;
  courseId: string | null;
  courseTitle: string | null;
  seatLimit: number | null;
  seatsUsed: number;
  startsAt: string | null;
  endsAt: string | null;
  status: string;
  warnings: string[];
}

/** `GET /api/customers/:id/report`. */
export interface CustomerReport {
  customerId: string;
  name: string;
  state: string;
  totals: ReportFigures;
  licences: ReportLicence[];
  courses: Array<ReportFigures & { courseId: string; title: string }>;
}

/** `GET /api/reports/courses`: one line per course. */
export interface CourseUsage extends ReportFigures {
  courseId: string;
  title: string;
  customers: number;
}

/** `GET /api/reports/courses/:id`. */
export interface CourseReport {
  courseId: string;
  title: string;
  totals: CourseUsage;
  customers: Array<ReportFigures & { customerId: string | null; name: string | null }>;
}

/** What the licence form sends: `POST /api/licences` (with `customerId`), `PATCH /api/licences/:id` (without). */
export interface LicenceInput {
  courseId?: string | null;
  seatLimit?: number | null;
  startsAt?: string | null;
  endsAt?: string | null;
  state?: 'active' | 'suspended' | 'revoked';
  notes?: string | null;
}

/** `/api/licences`: a customer may use a course (null: every course). */
export interface Licence {
  id: string;
  customerId: string;
  customerName: string;
  courseId: string | null;
  courseTitle: string | null;
  seatLimit: number | null;
  seatsUsed: number;
  startsAt: string | null;
  /** Exclusive: the licence lets nobody in from this instant. */
  endsAt: string | null;
  state: 'active' | 'suspended' | 'revoked';
  status: 'usable' | 'not_started' | 'expired' | 'suspended' | 'revoked' | 'seats_full';
  warnings: Array<'seats_high' | 'seats_full' | 'ending_soon'>;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}
