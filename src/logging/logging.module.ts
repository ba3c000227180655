import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger } from './app-logger';
import { RequestLogger } from './request-logger';

/**
 * Logging: the app's logger at the configured `LOG_LEVEL`, with request ids, and the request
 * middleware that assigns them (both installed by `createApp`). Global, like configuration.
 */
@Global()
@Module({
  providers: [{ provide: AppLogger, useFactory: (config: AppConfig) => AppLogger.for(config), inject: [AppConfig] }, RequestLogger],
  exports: [AppLogger, RequestLogger],
})
export class LoggingModule {}
