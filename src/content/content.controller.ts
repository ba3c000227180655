import { Controller, Get, Head, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ContentFiles } from './content-files';
import { ContentGrantService } from './content-grant.service';

/**
 * Course files through Nest: `/content/<versionId>/<grant>/<path>`. The content listener answers a
 * readable file before Express (ContentFiles.handle); what reaches this controller is what that
 * path passed on — a refused grant, a missing file, a directory — so the refusal is thrown here
 * and answered by the one exception filter. The rules themselves are ContentFiles'.
 */
@Controller('content')
export class ContentController {
  constructor(
    private readonly files: ContentFiles,
    private readonly grants: ContentGrantService,
  ) {}

  /**
   * For a proxy that serves course files itself (deploy/nginx/content-offload.conf): 200 while the
   * grant lets a reader in, with until when (`X-Accel-Expires: @<epoch>` so nginx caches the answer
   * exactly as long, and `X-Grant-Expires` as an HTTP date for the files' `Expires`), else the refusal.
   */
  @Get('grants/:versionId/:grant')
  grant(@Param('versionId') versionId: string, @Param('grant') grant: string, @Res() res: Response): void {
    const expires = this.grants.require(versionId, grant);
    res.setHeader('X-Accel-Expires', `@${expires}`);
    res.setHeader('X-Grant-Expires', new Date(expires * 1000).toUTCString());
    res.status(200).end();
  }

  @Get('*path')
  get(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.serve(req, res);
  }

  @Head('*path')
  head(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.serve(req, res);
  }

  private async serve(req: Request, res: Response): Promise<void> {
    await this.files.send(req, res, await this.files.locate(req.originalUrl));
  }
}
