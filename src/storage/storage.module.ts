import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { PackageStorage } from './package-storage';
import { LocalPackageStorage } from './local-package-storage';

/** Where imported course files live: the local disk (default) or an S3 bucket (`STORAGE=s3`), behind the `PackageStorage` seam. */
@Module({
  providers: [
    {
      provide: PackageStorage,
      // The AWS SDK is loaded only when it is used: a second of start-up on a busy machine otherwise.
      useFactory: async (config: AppConfig, clock: Clock): Promise<PackageStorage> =>
        config.storage === 's3' ? new (await import('./s3-package-storage')).S3PackageStorage(config, clock) : new LocalPackageStorage(config, clock),
      inject: [AppConfig, Clock],
    },
  ],
  exports: [PackageStorage],
})
export class StorageModule {}
