import { Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { DeepLinkingService } from './deep-linking/deep-linking.service';
import { LaunchService } from './launch/launch.service';
import { LoginService } from './login/login.service';
import { LoginStatesRepository } from './login/login-states.repository';
import { LoginRateLimiter } from './login/login-rate-limiter';
import { LtiController } from './lti.controller';
import { PlatformKeysService } from './keys/platform-keys.service';
import { RegistrationService } from './registration/registration.service';

/** OIDC login, launch, Deep Linking and Dynamic Registration (LTI Core 1.3, DL 2.0, DR 1.0). */
@Module({
  imports: [CoursesModule],
  controllers: [LtiController],
  providers: [LoginStatesRepository, LoginService, LoginRateLimiter, LaunchService, PlatformKeysService, DeepLinkingService, RegistrationService],
})
export class LtiModule {}
