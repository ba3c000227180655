import { Global, Module } from '@nestjs/common';
import { LaunchHandoff } from '../protocol/launch-context';
import { PlayerLaunchService } from '../../player/player-launch.service';

/** Provides the LaunchHandoff seam; the player module swaps in its own class here. */
@Global()
@Module({ providers: [{ provide: LaunchHandoff, useExisting: PlayerLaunchService }], exports: [LaunchHandoff] })
export class LaunchHandoffModule {}
