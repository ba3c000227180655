import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { CustomersController } from './customers.controller';
import { CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';
import { RegistrationLinksService } from './registration-links.service';

/**
 * Customers (client organisations) and their registration links. Platforms bind a registration to a
 * customer; LTI asks `CustomersService.launchRefusal` at launch and uses a link at Dynamic Registration.
 */
@Module({
  imports: [AdminModule],
  controllers: [CustomersController],
  providers: [CustomersRepository, CustomersService, RegistrationLinksService],
  exports: [CustomersService, RegistrationLinksService],
})
export class CustomersModule {}
