import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AppConfig } from './config/app-config';
import type { Clock } from './common/clock';
import { ConfigModule } from './config/config.module';
import { LoggingModule } from './logging/logging.module';
import { DatabaseModule } from './database/database.module';
import { AllExceptionsFilter } from './common/exception.filter';
import { RequestValidationPipe } from './common/validation';
import { HealthModule } from './health/health.module';
import { AdminModule } from './admin/admin.module';
import { StorageModule } from './storage/storage.module';
import { CoursesModule } from './courses/courses.module';
import { ContentModule } from './content/content.module';
import { SecretsModule } from './secrets/secrets.module';
import { GradesModule } from './grades/grades.module';
import { PlatformsModule } from './platforms/platforms.module';
import { CustomersModule } from './customers/customers.module';
import { LicencesModule } from './licences/licences.module';
import { LtiKeysModule } from './lti/keys/lti-keys.module';
import { LtiModule } from './lti/lti.module';
import { Lti11Module } from './lti11/lti11.module';
import { PlayerModule } from './player/player.module';
import { ConsoleModule } from './console/console.module';
import { ReportsModule } from './reports/reports.module';
import { DispatchModule } from './dispatch/dispatch.module';

@Module({})
export class AppModule {
  /** `clock`: the real one unless a test passes its own (test/support/manual-clock.ts). */
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        LoggingModule,
        DatabaseModule.forRoot(config),
        AdminModule,
        SecretsModule,
        StorageModule,
        CoursesModule,
        ContentModule,
        GradesModule,
        CustomersModule,
        LicencesModule,
        PlatformsModule,
        LtiKeysModule,
        LtiModule,
        Lti11Module,
        PlayerModule,
        ConsoleModule,
        ReportsModule,
        DispatchModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
      ],
    };
  }
}
