import { Module } from '@nestjs/common';
import { ContentController } from './content.controller';
import { ContentGrantService } from './content-grant.service';

@Module({ controllers: [ContentController], providers: [ContentGrantService], exports: [ContentGrantService] })
export class ContentModule {}
