import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AdminGuard } from '../admin/admin.guard';
import { CreateCustomerBody, CreateRegistrationLinkBody, UpdateCustomerBody } from './customer.dto';
import { CustomerDto, CustomersService } from './customers.service';
import { RegistrationLinkDto, RegistrationLinksService } from './registration-links.service';

/** Admin API for customers (client organisations) and their registration links (issue 9). */
@Controller('api/customers')
@UseGuards(AdminGuard)
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly links: RegistrationLinksService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a customer (name, contact?, notes?, state?).' })
  create(@Body() body: CreateCustomerBody): Promise<CustomerDto> {
    return this.customers.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List customers with the ids of their platforms.' })
  list(): Promise<CustomerDto[]> {
    return this.customers.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One customer.' })
  get(@Param('id') id: string): Promise<CustomerDto> {
    return this.customers.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a customer; state "suspended" stops its launches and keeps its data.' })
  update(@Param('id') id: string, @Body() body: UpdateCustomerBody): Promise<CustomerDto> {
    return this.customers.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a customer that no platform belongs to (customer_in_use otherwise).' })
  remove(@Param('id') id: string): Promise<void> {
    return this.customers.remove(id);
  }

  @Post(':id/registration-links')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a Dynamic Registration link for this customer (single use by default, optional expiresAt); its url is shown only in this answer.' })
  createLink(@Param('id') id: string, @Body() body: CreateRegistrationLinkBody): Promise<RegistrationLinkDto & { url: string }> {
    return this.links.create(id, body);
  }

  @Get(':id/registration-links')
  @ApiOperation({ summary: 'List the customer’s registration links with their status (usable, used, expired, revoked).' })
  listLinks(@Param('id') id: string): Promise<RegistrationLinkDto[]> {
    return this.links.list(id);
  }

  @Delete(':id/registration-links/:linkId')
  @ApiOperation({ summary: 'Revoke a registration link; platforms it already registered stay bound.' })
  revokeLink(@Param('id') id: string, @Param('linkId') linkId: string): Promise<RegistrationLinkDto> {
    return this.links.revoke(id, linkId);
  }
}
