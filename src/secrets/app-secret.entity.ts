import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Server-side secrets shared by every instance on one database (e.g. the content-grant HMAC key). */
@Entity('app_secrets')
export class AppSecret {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text' })
  value: string;

  @CreateDateColumn()
  createdAt: Date;
}
