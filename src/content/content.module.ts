import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { StorageModule } from '../storage/storage.module';
import { ContentController } from './content.controller';
import { ContentFiles } from './content-files';
import { ContentGrantService } from './content-grant.service';

@Module({
  imports: [SecretsModule, StorageModule],
  controllers: [ContentController],
  providers: [ContentGrantService, ContentFiles],
  exports: [ContentGrantService, ContentFiles],
})
export class ContentModule {}
