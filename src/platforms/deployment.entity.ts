import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { randomUUID } from 'node:crypto';

/** A deployment of the tool on a platform; several may share one client id (Core §3.1.3). */
@Entity('platform_deployments')
@Index(['platformId', 'deploymentId'], { unique: true })
export class Deployment {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Column({ type: 'varchar', length: 36 })
  platformId: string;

  @Column({ type: 'varchar', length: 255 })
  deploymentId: string;

  @CreateDateColumn()
  createdAt: Date;
}
