import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One row of the append-only log. Created by the migration; never updated or deleted. */
@Entity({ name: 'events' })
@Index('events_stream_version_key', ['streamId', 'streamVersion'], { unique: true })
export class EventRecordEntity {
  @PrimaryColumn({ name: 'global_position', type: 'bigint' })
  globalPosition!: string;

  @Column({ name: 'stream_id', type: 'text' })
  streamId!: string;

  @Column({ name: 'stream_version', type: 'int' })
  streamVersion!: number;

  @Column({ name: 'event_id', type: 'uuid', unique: true })
  eventId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'jsonb' })
  data!: unknown;

  @Column({ type: 'jsonb' })
  metadata!: Record<string, unknown>;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
