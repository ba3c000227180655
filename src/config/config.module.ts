import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './app-config';

/**
 * The application's configuration, read once at start-up (`loadConfig`) and handed in here. Global:
 * nearly every module reads it, and listing it in each import list would say nothing.
 */
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, global: true, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}
