import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AdminGuard } from '../admin/admin.guard';
import { CreateLti11CredentialBody } from './lti11.dto';
import { Lti11CredentialDto, Lti11CredentialsService } from './lti11-credentials.service';

/** Admin API for a customer's LTI 1.1 consumer keys (issue 12, src/lti11/README.md). */
@Controller('api/customers/:id/lti11-credentials')
@UseGuards(AdminGuard)
export class Lti11Controller {
  constructor(private readonly credentials: Lti11CredentialsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an LTI 1.1 consumer key and secret for this customer; the secret is shown only in this answer.' })
  create(@Param('id') id: string, @Body() body: CreateLti11CredentialBody): Promise<Lti11CredentialDto & { secret: string }> {
    return this.credentials.create(id, body);
  }

  @Get()
  @ApiOperation({ summary: 'List the customer’s LTI 1.1 consumer keys (never their secrets), active or revoked.' })
  list(@Param('id') id: string): Promise<Lti11CredentialDto[]> {
    return this.credentials.list(id);
  }

  @Delete(':credentialId')
  @ApiOperation({ summary: 'Revoke an LTI 1.1 consumer key: its launches are refused from now on; its learners’ records, grades and seats stay.' })
  revoke(@Param('id') id: string, @Param('credentialId') credentialId: string): Promise<Lti11CredentialDto> {
    return this.credentials.revoke(id, credentialId);
  }
}
