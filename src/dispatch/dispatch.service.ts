import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppError, NotFoundError } from '../common/errors';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions';
import { LicenceAccessService } from '../licences/licence-access.service';
import { licenceRefused } from '../lti/customers/licence-refusals';
import { buildDispatchZip } from './dispatch-package';
import { DispatchTokens } from './dispatch-tokens';
import type { CreateDispatchBody, PackageVersion } from './dispatch.dto';
import { Dispatch, DispatchState } from './dispatch.entity';
import { DispatchRepository } from './dispatch.repository';

/** Where `node player/build.mjs` writes the package page's relay script (same relative path from src/ and dist/). */
export const DISPATCH_PACKAGE_BUNDLE = path.resolve(__dirname, '../../player/dist/dispatch-package.js');

export interface DispatchDto {
  id: string;
  customerId: string;
  courseId: string;
  courseTitle: string | null;
  title: string;
  state: DispatchState;
  /** The bridge page an imported package frames (content origin); carries the signed dispatch id. */
  launchUrl: string;
  /** Where the API answers the two packages (admin credential needed). */
  packages: Record<PackageVersion, string>;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * Dispatches on the admin side (`/api/customers/:id/dispatches`): create one for a course a licence of
 * the customer covers, list, revoke, and build the SCORM 1.2 / 2004 zip the customer imports.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);

  constructor(
    private readonly repo: DispatchRepository,
    private readonly tokens: DispatchTokens,
    private readonly licences: LicenceAccessService,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async list(customerId: string): Promise<DispatchDto[]> {
    await this.requireCustomer(customerId);
    const rows = await this.repo.listOfCustomer(customerId);
    const titles = await this.repo.courseTitles(rows.map((r) => r.courseId));
    return Promise.all(rows.map((r) => this.toDto(r, titles.get(r.courseId) ?? null)));
  }

  async get(customerId: string, id: string): Promise<DispatchDto> {
    const row = await this.find(customerId, id);
    return this.toDto(row, (await this.repo.findCourse(row.courseId))?.title ?? null);
  }

  /**
   * A new dispatch. Like the Deep Linking picker, only a course a licence in force covers for the
   * customer (seats are checked at each learner's launch, not here); an archived course gets none.
   */
  async create(customerId: string, body: CreateDispatchBody): Promise<DispatchDto> {
    const row = await this.transactions.run(async (m) => {
      if (!(await this.repo.customerExists(customerId, m))) {
        throw new NotFoundError('customer', customerId);
      }
      const course = await this.repo.findCourse(body.courseId, m);
      if (!course) {
        throw new AppError('course_not_found', `No course with id "${body.courseId}" exists.`, HttpStatus.UNPROCESSABLE_ENTITY);
      }
      if (course.archivedAt) {
        throw new AppError('course_archived', `The course "${course.title}" is archived: it gets no new dispatches. Restore it first.`, HttpStatus.UNPROCESSABLE_ENTITY);
      }
      const refusal = await this.licences.pickRefusal(customerId, course.id);
      if (refusal) {
        throw new AppError(
          'dispatch_course_unlicensed',
          `This customer may not use the course "${course.title}" now, so it gets no dispatch: ${licenceRefused(refusal, true).message}`,
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      }
      return this.repo.insert({ customerId, courseId: course.id, title: body.title ?? course.title }, m);
    });
    this.logger.log(`dispatch ${row.id} created: customer ${customerId}, course ${row.courseId}`);
    return this.get(customerId, row.id);
  }

  /** Revokes one dispatch: its imported packages show a notice from now on; learners' data is kept. */
  async revoke(customerId: string, id: string): Promise<DispatchDto> {
    await this.transactions.run(async (m) => {
      const row = await this.repo.find(id, m);
      if (!row || row.customerId !== customerId) {
        throw notFound(id);
      }
      if (row.state !== 'revoked') {
        row.state = 'revoked';
        row.revokedAt = new Date(this.clock.now());
        await this.repo.save(row, m);
      }
    });
    this.logger.log(`dispatch ${id} revoked`);
    return this.get(customerId, id);
  }

  /** The zip for the customer's LMS. A revoked dispatch has none (it would only show the notice). */
  async package(customerId: string, id: string, scorm: PackageVersion): Promise<{ filename: string; zip: Buffer }> {
    const row = await this.find(customerId, id);
    if (row.state === 'revoked') {
      throw new AppError('dispatch_revoked', 'This dispatch is revoked: its package would open nothing. Create a new dispatch instead.', HttpStatus.CONFLICT);
    }
    if (!fs.existsSync(DISPATCH_PACKAGE_BUNDLE)) {
      throw new AppError('player_not_built', 'The dispatch package script is not built; run `npm run build:player`.', HttpStatus.SERVICE_UNAVAILABLE);
    }
    const zip = await buildDispatchZip(
      { bridgeOrigin: new URL(this.config.contentUrl).origin, dispatchToken: await this.tokens.sign(row.id), scorm, title: row.title },
      row.id,
      await fs.promises.readFile(DISPATCH_PACKAGE_BUNDLE),
    );
    const slug = row.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'course';
    return { filename: `${slug}-dispatch-scorm${scorm === '1.2' ? '12' : '2004'}.zip`, zip };
  }

  private async find(customerId: string, id: string): Promise<Dispatch> {
    const row = await this.repo.find(id);
    if (!row || row.customerId !== customerId) {
      await this.requireCustomer(customerId);
      throw notFound(id);
    }
    return row;
  }

  private async requireCustomer(customerId: string): Promise<void> {
    if (!(await this.repo.customerExists(customerId))) {
      throw new NotFoundError('customer', customerId);
    }
  }

  private async toDto(r: Dispatch, courseTitle: string | null): Promise<DispatchDto> {
    const base = `/api/customers/${r.customerId}/dispatches/${r.id}/package`;
    return {
      id: r.id,
      customerId: r.customerId,
      courseId: r.courseId,
      courseTitle,
      title: r.title,
      state: r.state,
      launchUrl: `${this.config.contentUrl}/dispatch/${await this.tokens.sign(r.id)}`,
      packages: { '1.2': `${base}?scorm=1.2`, '2004': `${base}?scorm=2004` },
      createdAt: r.createdAt.toISOString(),
      revokedAt: r.revokedAt ? r.revokedAt.toISOString() : null,
    };
  }
}

function notFound(id: string): AppError {
  return new AppError('dispatch_not_found', `No dispatch with id "${id}" exists for this customer.`, HttpStatus.NOT_FOUND);
}
