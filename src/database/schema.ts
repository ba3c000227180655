import { Course } from '../courses/course.entity';
import { CourseVersion } from '../courses/course-version.entity';
import { AppSecret } from '../secrets/app-secret.entity';
import { Learner } from '../attempts/learner.entity';
import { ResourceLink } from '../attempts/resource-link.entity';
import { Attempt } from '../attempts/attempt.entity';
import { ScoState } from '../attempts/sco-state.entity';
import { LaunchCode } from '../attempts/launch-code.entity';
import { Attempts1764400002000 } from './migrations/1764400002000-attempts';
import { Courses1764400000000 } from './migrations/1764400000000-courses';
import { GradeDelivery } from '../grades/grade-delivery.entity';
import { Grades1764400003000 } from './migrations/1764400003000-grades';
import { Platform } from '../platforms/platform.entity';
import { Deployment } from '../platforms/deployment.entity';
import { ToolKey } from '../lti/keys/tool-key.entity';
import { LoginState } from '../lti/login/login-state.entity';
import { Lti1764400001000 } from './migrations/1764400001000-lti';
import { CourseGradePolicy1764400004000 } from './migrations/1764400004000-course-grade-policy';
import { Customer } from '../customers/customer.entity';
import { RegistrationLink } from '../customers/registration-link.entity';
import { Customers1764400005000 } from './migrations/1764400005000-customers';
import { Licence } from '../licences/licence.entity';
import { LicenceSeat } from '../licences/licence-seat.entity';
import { Licences1764400006000 } from './migrations/1764400006000-licences';
import { Roster, RosterMember } from '../roster/roster.entity';
import { Roster1764400007000 } from './migrations/1764400007000-roster';
import { Sequencing1764400010000 } from './migrations/1764400010000-sequencing';
import { Dispatch } from '../dispatch/dispatch.entity';
import { Dispatches1764400012500 } from './migrations/1764400012500-dispatches';
import { SequencingState1764400014700 } from './migrations/1764400014700-sequencing-state';
import { AttemptSequencing } from '../attempts/attempt-sequencing.entity';
import { LearnerGlobal } from '../attempts/learner-global.entity';
import { CourseArchive1764400008000 } from './migrations/1764400008000-course-archive';
import { SharedInstances1764400011500 } from './migrations/1764400011500-shared-instances';
import { SessionRevocation } from '../admin/session-revocation.entity';
import { RateLimit } from '../rate-limits/rate-limit.entity';
import { Lti11Credential } from '../lti11/lti11-credential.entity';
import { Lti11Nonce } from '../lti11/lti11-nonce.entity';
import { OutcomeTarget } from '../attempts/outcome-target.entity';
import { Lti111764400013000 } from './migrations/1764400013000-lti11';
import { Lti11LastUsed1764400013500 } from './migrations/1764400013500-lti11-last-used';
import { Lz4CommitColumns1764400015500 } from './migrations/1764400015500-lz4-commit-columns';

/**
 * Every entity and migration of the server, listed once. Migrations run at start-up; the schema is
 * never synchronized from the entities (docs/architecture.md, "Persistence").
 */
export const ENTITIES = [Course, CourseVersion, AppSecret, Learner, ResourceLink, Attempt, ScoState, LaunchCode, Platform, Deployment, ToolKey, LoginState, GradeDelivery, Customer, RegistrationLink, Licence, LicenceSeat, Roster, RosterMember, SessionRevocation, RateLimit, Dispatch, Lti11Credential, Lti11Nonce, OutcomeTarget, AttemptSequencing, LearnerGlobal];

export const MIGRATIONS = [Courses1764400000000, Lti1764400001000, Attempts1764400002000, Grades1764400003000, CourseGradePolicy1764400004000, Customers1764400005000, Licences1764400006000, Roster1764400007000, CourseArchive1764400008000, Sequencing1764400010000, SharedInstances1764400011500, Dispatches1764400012500, Lti111764400013000, Lti11LastUsed1764400013500, SequencingState1764400014700, Lz4CommitColumns1764400015500];
