import { Column, Entity, PrimaryColumn, ValueTransformer } from 'typeorm';
import { NodeCondition, NodeQuantity, NodeTaint } from './node-view.model';

const bigintAsNumber: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** One row per node of the `nodes` read model; written only by NodesProjection. */
@Entity({ name: 'nodes' })
export class NodeEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ name: 'boot_id', type: 'text', nullable: true })
  bootId!: string | null;

  @Column({ type: 'jsonb' })
  labels!: Record<string, string>;

  @Column({ type: 'jsonb' })
  taints!: NodeTaint[];

  @Column({ type: 'jsonb' })
  capacity!: NodeQuantity;

  @Column({ type: 'jsonb' })
  allocatable!: NodeQuantity;

  @Column({ type: 'jsonb' })
  info!: Record<string, string>;

  @Column({ type: 'text' })
  condition!: NodeCondition;

  @Column({ name: 'condition_reason', type: 'text', nullable: true })
  conditionReason!: string | null;

  @Column({ name: 'last_transition_at', type: 'timestamptz' })
  lastTransitionAt!: Date;

  @Column({ type: 'boolean' })
  unschedulable!: boolean;

  @Column({ name: 'drain_requested', type: 'boolean' })
  drainRequested!: boolean;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;

  @Column({ name: 'stream_version', type: 'int' })
  streamVersion!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  position!: number;
}
