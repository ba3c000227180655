import { Controller, Get, Head, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ContentFiles } from './content-files';

/**
 * Course files through Nest: `/content/<versionId>/<grant>/<path>`. The content listener answers a
 * readable file before Express (ContentFiles.handle); what reaches this controller is what that
 * path passed on — a refused grant, a missing file, a directory — so the refusal is thrown here
 * and answered by the one exception filter. The rules themselves are ContentFiles'.
 */
@Controller('content')
export class ContentController {
  constructor(private readonly files: ContentFiles) {}

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
