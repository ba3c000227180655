import { Global, Module } from '@nestjs/common';
import { PackageStorage } from './package-storage';
import { LocalPackageStorage } from './local-package-storage';

@Global()
@Module({ providers: [{ provide: PackageStorage, useClass: LocalPackageStorage }], exports: [PackageStorage] })
export class StorageModule {}
