import { DynamicModule, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock';
import { AppConfig } from './app-config';

/**
 * The application's configuration, read once at start-up (`loadConfig`) and handed in here, and the
 * Clock (the real one, or a test's). Global: nearly every module reads them, and listing them in each
 * import list would say nothing.
 */
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: clock },
      ],
      exports: [AppConfig, Clock],
    };
  }
}
