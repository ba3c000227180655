import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AdminGuard } from '../admin/admin.guard';
import { CreatePlatformBody, UpdatePlatformBody } from './platform.dto';
import { PlatformDto, PlatformsService } from './platforms.service';

/** LMS admin API for registrations (docs/rest-api.md, contract). */
@Controller('api/platforms')
@UseGuards(AdminGuard)
export class PlatformsController {
  constructor(private readonly platforms: PlatformsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register an LMS (issuer, clientId, endpoints, deploymentIds[]).' })
  create(@Body() body: CreatePlatformBody): Promise<PlatformDto> {
    return this.platforms.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List registered LMS platforms with their deployments.' })
  list(): Promise<PlatformDto[]> {
    return this.platforms.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One registered platform.' })
  get(@Param('id') id: string): Promise<PlatformDto> {
    return this.platforms.getDto(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a platform; fields left out keep their value.' })
  update(@Param('id') id: string, @Body() body: UpdatePlatformBody): Promise<PlatformDto> {
    return this.platforms.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a platform registration.' })
  remove(@Param('id') id: string): Promise<void> {
    return this.platforms.remove(id);
  }
}
