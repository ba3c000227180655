import { Global, Module } from '@nestjs/common';
import { KeysController } from './keys.controller';
import { ToolKeysService } from './tool-keys.service';

/** Tool keys, exported globally: grades signs client assertions with them. */
@Global()
@Module({ controllers: [KeysController], providers: [ToolKeysService], exports: [ToolKeysService] })
export class LtiCoreModule {}
