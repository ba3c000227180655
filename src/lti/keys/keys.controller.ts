import { Controller, Get, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminGuard } from '../../admin/admin.guard';
import { ToolKeysService } from './tool-keys.service';

/** The tool's public key set (docs/rest-api.md, Sec §6.3) and the admin rotation route (Sec §6.4). */
@Controller()
export class KeysController {
  constructor(private readonly keys: ToolKeysService) {}

  @Get('.well-known/jwks.json')
  @ApiOperation({ summary: 'Tool public keys (RS256, with kid).' })
  async jwks(@Res() res: Response): Promise<void> {
    // Short cache: a rotation reaches platforms quickly, and the retired key stays published meanwhile.
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(await this.keys.jwks());
  }

  @Post('api/keys/rotate')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  @ApiOperation({ summary: 'Rotate the tool signing key; the previous key stays published.' })
  rotate(): Promise<{ kid: string; previous: string[] }> {
    return this.keys.rotate();
  }
}
