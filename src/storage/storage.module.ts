import { Module } from '@nestjs/common';
import { PackageStorage } from './package-storage';
import { LocalPackageStorage } from './local-package-storage';

/** Where imported course files live (local disk today, behind the `PackageStorage` seam). */
@Module({ providers: [{ provide: PackageStorage, useClass: LocalPackageStorage }], exports: [PackageStorage] })
export class StorageModule {}
