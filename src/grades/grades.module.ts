import { Module } from '@nestjs/common';
import { ResultListener } from '../attempts/result-listener';
import { AdminModule } from '../admin/admin.module';
import { LtiKeysModule } from '../lti/keys/lti-keys.module';
import { ToolKeysService } from '../lti/keys/tool-keys.service';
import { PlatformsModule } from '../platforms/platforms.module';
import { Lti11Module } from '../lti11/lti11.module';
import { AgsClient } from './ags.client';
import { ClientAssertionSigner } from './ags.types';
import { GradeDispatcher } from './grade-dispatcher';
import { GradeOutboxService } from './grade-outbox.service';
import { GradesAdminService } from './grades-admin.service';
import { GradesController } from './grades.controller';
import { GradesRepository } from './grades.repository';
import { LineItems } from './line-items';

/**
 * Grade passback (src/grades/README.md): the outbox written inside runtime commits, its worker, the AGS
 * client, and the console's attempts/deliveries API. It implements the attempts module's
 * `ResultListener` seam with the outbox, so it binds it.
 */
@Module({
  imports: [AdminModule, PlatformsModule, LtiKeysModule, Lti11Module],
  controllers: [GradesController],
  providers: [
    GradeDispatcher,
    GradeOutboxService,
    GradesAdminService,
    GradesRepository,
    LineItems,
    AgsClient,
    {
      provide: ClientAssertionSigner,
      useFactory: (keys: ToolKeysService): ClientAssertionSigner => ({ sign: (payload, expiresInSeconds) => keys.signJwt(payload, { expiresInSeconds }) }),
      inject: [ToolKeysService],
    },
    { provide: ResultListener, useExisting: GradeOutboxService },
  ],
  exports: [ResultListener, AgsClient, GradesAdminService],
})
export class GradesModule {}
