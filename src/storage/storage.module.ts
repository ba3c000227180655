import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { PackageStorage } from './package-storage';
import { LocalPackageStorage } from './local-package-storage';
import { S3PackageStorage } from './s3-package-storage';

/** Where imported course files live: the local disk (default) or an S3 bucket (`STORAGE=s3`), behind the `PackageStorage` seam. */
@Module({
  providers: [
    {
      provide: PackageStorage,
      useFactory: (config: AppConfig, clock: Clock) => (config.storage === 's3' ? new S3PackageStorage(config, clock) : new LocalPackageStorage(config)),
      inject: [AppConfig, Clock],
    },
  ],
  exports: [PackageStorage],
})
export class StorageModule {}
