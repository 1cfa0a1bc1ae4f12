import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How far a projection or the relay has got, written in the same transaction as its work. */
@Entity({ name: 'checkpoints' })
export class CheckpointEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'bigint' })
  position!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
