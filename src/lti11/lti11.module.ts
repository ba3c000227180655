import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { CoursesModule } from '../courses/courses.module';
import { CustomersModule } from '../customers/customers.module';
import { PlatformsModule } from '../platforms/platforms.module';
import { SecretsModule } from '../secrets/secrets.module';
import { Lti11Controller } from './lti11.controller';
import { Lti11CredentialsService } from './lti11-credentials.service';
import { Lti11Repository } from './lti11.repository';
import { MigrationRepository } from './migration.repository';

/**
 * LTI 1.1 consumer keys of customers and the nonces their launches used (src/lti11/README.md). The
 * launch itself is in `LtiModule` (src/lti/lti11/), the outcomes in `GradesModule`; both read keys here.
 */
@Module({
  imports: [AdminModule, CoursesModule, CustomersModule, PlatformsModule, SecretsModule],
  controllers: [Lti11Controller],
  providers: [Lti11CredentialsService, Lti11Repository, MigrationRepository],
  exports: [Lti11CredentialsService, Lti11Repository, MigrationRepository],
})
export class Lti11Module {}
