import { Module } from '@nestjs/common';
import { AdminModule } from '../../admin/admin.module';
import { KeysController } from './keys.controller';
import { PlatformKeysService } from './platform-keys.service';
import { ToolKeysRepository } from './tool-keys.repository';
import { ToolKeysService } from './tool-keys.service';

/** The tool's signing keys (JWKS, rotation) and the platforms' key sets; grades signs client assertions with the tool keys. */
@Module({
  imports: [AdminModule],
  controllers: [KeysController],
  providers: [ToolKeysRepository, ToolKeysService, PlatformKeysService],
  exports: [ToolKeysService, PlatformKeysService],
})
export class LtiKeysModule {}
