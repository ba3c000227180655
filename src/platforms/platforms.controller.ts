import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../admin/admin.guard';
import { PlatformDto, PlatformsService } from './platforms.service';

/** LMS admin API for registrations (DESIGN §3, contract). */
@Controller('api/platforms')
@UseGuards(AdminGuard)
export class PlatformsController {
  constructor(private readonly platforms: PlatformsService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown): Promise<PlatformDto> {
    return this.platforms.create(body);
  }

  @Get()
  list(): Promise<PlatformDto[]> {
    return this.platforms.list();
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<PlatformDto> {
    return this.platforms.getDto(id);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() body: unknown): Promise<PlatformDto> {
    return this.platforms.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id') id: string): Promise<void> {
    return this.platforms.remove(id);
  }
}
