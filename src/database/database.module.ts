import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, openDataSource } from './data-source';
import { ChangeNotices } from './change-notices';
import { PlainSql } from './plain-sql';
import { Transactions } from './transactions';

/**
 * The database: the TypeORM DataSource (migrated, transactions guarded) and the helpers every
 * module's repositories use. Global, as configuration and logging are.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(config), retryAttempts: 0 }),
          dataSourceFactory: () => openDataSource(config),
        }),
      ],
      providers: [Transactions, PlainSql, ChangeNotices],
      exports: [Transactions, PlainSql, ChangeNotices],
    };
  }
}
