import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Course } from '../courses/course.entity';
import { Customer } from '../customers/customer.entity';
import { Platform } from '../platforms/platform.entity';
import { Dispatch } from './dispatch.entity';

/** Every database access of the dispatch module. */
@Injectable()
export class DispatchRepository {
  constructor(private readonly db: DataSource) {}

  listOfCustomer(customerId: string): Promise<Dispatch[]> {
    return this.db.getRepository(Dispatch).find({ where: { customerId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  find(id: string, m: EntityManager = this.db.manager): Promise<Dispatch | null> {
    return m.getRepository(Dispatch).findOne({ where: { id } });
  }

  async insert(fields: Pick<Dispatch, 'customerId' | 'courseId' | 'title'>, m: EntityManager): Promise<Dispatch> {
    const row = m.getRepository(Dispatch).create({ ...fields, state: 'active', revokedAt: null });
    await m.getRepository(Dispatch).insert(row);
    return row;
  }

  async save(row: Dispatch, m: EntityManager): Promise<void> {
    await m.getRepository(Dispatch).save(row);
  }

  async customerExists(id: string, m: EntityManager = this.db.manager): Promise<boolean> {
    return (await m.getRepository(Customer).count({ where: { id } })) > 0;
  }

  findCourse(id: string, m: EntityManager = this.db.manager): Promise<Pick<Course, 'id' | 'title' | 'archivedAt'> | null> {
    return m.getRepository(Course).findOne({ select: { id: true, title: true, archivedAt: true }, where: { id } });
  }

  /** Course titles by id, for listing dispatches. */
  async courseTitles(ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    const rows = unique.length ? await this.db.getRepository(Course).find({ select: { id: true, title: true }, where: unique.map((id) => ({ id })) }) : [];
    return new Map(rows.map((r) => [r.id, r.title]));
  }

  /** The customer's LTI platforms (id and issuer), oldest first: a dispatch's LMS may be one of them. */
  platformsOfCustomer(customerId: string): Promise<Array<Pick<Platform, 'id' | 'issuer'>>> {
    return this.db.getRepository(Platform).find({ select: { id: true, issuer: true }, where: { customerId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
