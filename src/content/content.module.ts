import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { StorageModule } from '../storage/storage.module';
import { ContentController } from './content.controller';
import { ContentFiles } from './content-files';
import { ContentGrantService } from './content-grant.service';
import { FileSender } from './file-sender';

@Module({
  imports: [SecretsModule, StorageModule],
  controllers: [ContentController],
  providers: [ContentGrantService, ContentFiles, FileSender],
  exports: [ContentGrantService, ContentFiles],
})
export class ContentModule {}
