import { CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { randomUUID } from 'node:crypto';

/** Every table has a string UUID key and timestamps (Vendure's base entity). */
export abstract class BaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  /**
   * Set here rather than left to the column default: SQLite's default keeps whole seconds, so rows
   * made within one second (a zip uploaded twice, two licences) would tie when listed "first made first".
   */
  @CreateDateColumn()
  createdAt: Date = new Date();

  @UpdateDateColumn()
  updatedAt: Date;
}
