import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import { bigintNumber } from '../database/bigint';
import type { ParsedManifest, ImportWarning } from '../scorm/manifest.types';
import type { CompiledSequencing } from '../sequencing/sequencing.types';

/** An immutable, extracted package under `storage/content/<id>/` with its parsed manifest (docs/architecture.md). */
@Entity('course_versions')
@Index(['courseId', 'number'], { unique: true })
export class CourseVersion extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  courseId: string;

  @Column({ type: 'integer' })
  number: number;

  /** '1.2' or '2004' */
  @Column({ type: 'varchar', length: 8 })
  scormVersion: string;

  /** e.g. '2nd', '3rd', '4th' for 2004; null for 1.2 */
  @Column({ type: 'varchar', length: 8, nullable: true })
  edition: string | null;

  @Column({ type: 'simple-json' })
  manifest: ParsedManifest;

  @Column({ type: 'simple-json' })
  warnings: ImportWarning[];

  /** SCORM 2004: the activity tree compiled for the sequencing engine at import (docs/sequencing.md); null for 1.2. */
  @Column({ type: 'simple-json', nullable: true })
  sequencing: CompiledSequencing | null;

  @Column({ type: 'varchar', length: 500 })
  originalFilename: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  packageBytes: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  unpackedBytes: number;

  @Column({ type: 'integer' })
  fileCount: number;

  /** Hex SHA-256 of the uploaded zip (hashed while it streams in); an upload of the same zip is named a duplicate. */
  @Index()
  @Column({ type: 'varchar', length: 64 })
  sha256: string;
}
