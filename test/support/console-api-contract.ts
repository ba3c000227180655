// Compile-time check (npm run check) that the server's DTOs still fit the shapes the console's JSDoc
// types expect (src/console/public/types.d.ts): a renamed or retyped field fails tsc here instead of
// showing "undefined" in a console page. Nothing runs.
import type * as Console from '../../src/console/public/types';
import type { CourseStatsDto, PreviewDto } from '../../src/console/console.service';
import type { CourseDto } from '../../src/courses/courses.service';
import type { AttemptDto } from '../../src/grades/grades-admin.service';
import type { CreatePlatformBody } from '../../src/platforms/platform.dto';
import type { PlatformDto } from '../../src/platforms/platforms.service';
import type { CreateCustomerBody, CreateRegistrationLinkBody, UpdateCustomerBody } from '../../src/customers/customer.dto';
import type { CustomerDto } from '../../src/customers/customers.service';
import type { RegistrationLinkDto } from '../../src/customers/registration-links.service';
import type { CreateLicenceBody, UpdateLicenceBody } from '../../src/licences/licence.dto';
import type { LicenceDto } from '../../src/licences/licences.service';
import type { ConsoleController } from '../../src/console/console.controller';
import type { DispatchDto } from '../../src/dispatch/dispatch.service';
import type { CreateDispatchBody } from '../../src/dispatch/dispatch.dto';
import type { Lti11CredentialDto } from '../../src/lti11/lti11-credentials.service';
import type { CreateLti11CredentialBody } from '../../src/lti11/lti11.dto';
import type { CourseReportDto, CourseUsageDto, CustomerReportDto, CustomerUsageDto } from '../../src/reports/reports.service';

/** `true` only when A can be used where B is expected. */
type Fits<A, B> = [A] extends [B] ? true : false;

export const consoleApiContract: {
  course: Fits<CourseDto, Console.Course>;
  stats: Fits<CourseStatsDto, Console.CourseStats>;
  preview: Fits<PreviewDto, Console.Preview>;
  attempt: Fits<AttemptDto, Console.Attempt>;
  platform: Fits<PlatformDto, Console.Platform>;
  platformInput: Fits<Console.PlatformInput, CreatePlatformBody>;
  session: Fits<Awaited<ReturnType<ConsoleController['session']>>, Console.SessionState>;
  customer: Fits<CustomerDto, Console.Customer>;
  customerCreate: Fits<Console.CustomerInput & { name: string }, CreateCustomerBody>;
  customerUpdate: Fits<Console.CustomerInput, UpdateCustomerBody>;
  registrationLink: Fits<RegistrationLinkDto & { url: string }, Console.NewRegistrationLink>;
  registrationLinkInput: Fits<Console.RegistrationLinkInput, CreateRegistrationLinkBody>;
  customerUsage: Fits<CustomerUsageDto, Console.CustomerUsage>;
  customerReport: Fits<CustomerReportDto, Console.CustomerReport>;
  courseUsage: Fits<CourseUsageDto, Console.CourseUsage>;
  courseReport: Fits<CourseReportDto, Console.CourseReport>;
  licence: Fits<LicenceDto, Console.Licence>;
  licenceCreate: Fits<Console.LicenceInput & { customerId: string }, CreateLicenceBody>;
  licenceUpdate: Fits<Console.LicenceInput, UpdateLicenceBody>;
  dispatch: Fits<DispatchDto, Console.Dispatch>;
  dispatchCreate: Fits<Console.DispatchInput, CreateDispatchBody>;
  lti11Key: Fits<Lti11CredentialDto & { secret: string }, Console.NewLti11Key>;
  lti11KeyCreate: Fits<Console.Lti11KeyInput, CreateLti11CredentialBody>;
} = {
  course: true,
  stats: true,
  preview: true,
  attempt: true,
  platform: true,
  platformInput: true,
  session: true,
  customer: true,
  customerCreate: true,
  customerUpdate: true,
  registrationLink: true,
  registrationLinkInput: true,
  customerUsage: true,
  customerReport: true,
  courseUsage: true,
  courseReport: true,
  licence: true,
  licenceCreate: true,
  licenceUpdate: true,
  dispatch: true,
  dispatchCreate: true,
  lti11Key: true,
  lti11KeyCreate: true,
};
