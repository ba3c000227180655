import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { CoursesModule } from '../courses/courses.module';
import { CustomersModule } from '../customers/customers.module';
import { LicencesModule } from '../licences/licences.module';
import { PlatformsModule } from '../platforms/platforms.module';
import { InstructorModule } from '../instructor/instructor.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { SecretsModule } from '../secrets/secrets.module';
import { LtiKeysModule } from './keys/lti-keys.module';
import { DeepLinkingService } from './deep-linking/deep-linking.service';
import { LaunchService } from './launch/launch.service';
import { LoginService } from './login/login.service';
import { LoginStatesRepository } from './login/login-states.repository';
import { LtiController } from './lti.controller';
import { RegistrationService } from './registration/registration.service';
import { Lti11Module } from '../lti11/lti11.module';
import { Lti11LaunchController } from './lti11/lti11-launch.controller';
import { Lti11LaunchService } from './lti11/lti11-launch.service';
import { Lti1p1Migration } from './lti11/lti1p1-migration';

/**
 * OIDC login, launch, Deep Linking and Dynamic Registration (LTI Core 1.3, DL 2.0, DR 1.0). A
 * validated launch goes on through the `LaunchHandoff` seam, which the instructor module binds
 * (`LaunchRouter`: learners to the player, instructors to their view).
 */
@Module({
  imports: [AdminModule, CoursesModule, CustomersModule, LicencesModule, PlatformsModule, SecretsModule, LtiKeysModule, InstructorModule, RateLimitsModule, Lti11Module],
  controllers: [LtiController, Lti11LaunchController],
  providers: [LoginStatesRepository, LoginService, LaunchService, DeepLinkingService, RegistrationService, Lti11LaunchService, Lti1p1Migration],
})
export class LtiModule {}
