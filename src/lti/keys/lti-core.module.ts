import { Global, Module } from '@nestjs/common';
import { KeysController } from './keys.controller';
import { ToolKeysRepository } from './tool-keys.repository';
import { ToolKeysService } from './tool-keys.service';

/** Tool keys, exported globally: grades signs client assertions with them. */
@Global()
@Module({ controllers: [KeysController], providers: [ToolKeysRepository, ToolKeysService], exports: [ToolKeysService] })
export class LtiCoreModule {}
