import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResultListener } from '../attempts/result-listener';
import { ResourceLink } from '../attempts/resource-link.entity';
import { ToolKeysService } from '../lti/keys/tool-keys.service';
import { AgsClient } from './ags.client';
import { ClientAssertionSigner } from './ags.types';
import { GradeDelivery } from './grade-delivery.entity';
import { GradeDispatcher } from './grade-dispatcher';
import { GradeOutboxService } from './grade-outbox.service';
import { GradesAdminService } from './grades-admin.service';
import { GradesController } from './grades.controller';

/**
 * Grade passback (DESIGN §5, §6): the outbox written inside runtime commits, its worker, the AGS
 * client, and the console's attempts/deliveries API. Global because it provides the `ResultListener`
 * the attempts module calls.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([GradeDelivery, ResourceLink])],
  controllers: [GradesController],
  providers: [
    GradeDispatcher,
    GradeOutboxService,
    GradesAdminService,
    AgsClient,
    {
      provide: ClientAssertionSigner,
      useFactory: (keys: ToolKeysService): ClientAssertionSigner => ({ sign: (payload, expiresInSeconds) => keys.signJwt(payload, { expiresInSeconds }) }),
      inject: [ToolKeysService],
    },
    { provide: ResultListener, useExisting: GradeOutboxService },
  ],
  exports: [ResultListener, GradeOutboxService, GradeDispatcher, AgsClient],
})
export class GradesModule {}
