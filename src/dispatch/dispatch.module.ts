import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { AttemptsModule } from '../attempts/attempts.module';
import { CustomersModule } from '../customers/customers.module';
import { LicencesModule } from '../licences/licences.module';
import { PlayerModule } from '../player/player.module';
import { SecretsModule } from '../secrets/secrets.module';
import { DispatchBridgeController } from './dispatch-bridge.controller';
import { DispatchLaunchService } from './dispatch-launch.service';
import { DispatchTokens } from './dispatch-tokens';
import { DispatchController } from './dispatch.controller';
import { DispatchRepository } from './dispatch.repository';
import { DispatchService } from './dispatch.service';

/**
 * Dispatch packages for LMSs without LTI 1.3 (issue 12): the admin API builds the SCORM zip a customer
 * imports; the content origin answers the page it frames and its launch, under the customer's licence.
 */
@Module({
  imports: [AdminModule, AttemptsModule, CustomersModule, LicencesModule, PlayerModule, SecretsModule],
  controllers: [DispatchController, DispatchBridgeController],
  providers: [DispatchRepository, DispatchService, DispatchLaunchService, DispatchTokens],
})
export class DispatchModule {}
