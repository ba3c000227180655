import { Global, Module } from '@nestjs/common';
import { AdminTokenService } from './admin-token.service';
import { AdminGuard } from './admin.guard';

@Global()
@Module({ providers: [AdminTokenService, AdminGuard], exports: [AdminTokenService, AdminGuard] })
export class AdminModule {}
