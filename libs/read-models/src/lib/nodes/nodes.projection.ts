import { EntityManager } from 'typeorm';
import { categoryOf, EventData, RecordedEvent } from '@berth/contracts';
import { Projection } from '@berth/event-store';
import { NodeEntity } from './node.entity';
import { NodeCondition } from './node-view.model';

const conditionOf: Partial<Record<string, NodeCondition>> = { NodeReady: 'Ready', NodeNotReady: 'NotReady', NodeLost: 'Lost' };

/**
 * Folds the `node:<name>` streams into the `nodes` table. Deterministic (times come from the
 * events' recordedAt), so a rebuild from position 0 yields the same rows as the live run.
 */
export class NodesProjection implements Projection {
  static readonly projectionName = 'read-model:nodes';
  readonly name = NodesProjection.projectionName;

  async reset(manager: EntityManager): Promise<void> {
    await manager.createQueryBuilder().delete().from(NodeEntity).execute();
  }

  async apply(event: RecordedEvent, manager: EntityManager): Promise<void> {
    if (categoryOf(event.streamId) !== 'node') return;
    const name = event.streamId.slice('node:'.length);
    const repository = manager.getRepository(NodeEntity);
    if (event.type === 'NodeRegistered') {
      await repository.save(this.registered(name, event as RecordedEvent<EventData<'NodeRegistered'>>, await repository.findOneBy({ name })));
      return;
    }
    const row = await repository.findOneBy({ name });
    // Events of a node that never registered have nothing to attach to.
    if (!row) return;
    row.streamVersion = event.streamVersion;
    row.position = event.globalPosition;
    const condition = conditionOf[event.type];
    if (condition) {
      if (row.condition !== condition) row.lastTransitionAt = event.recordedAt;
      row.condition = condition;
      row.conditionReason = (event.data as { reason?: string }).reason ?? null;
    } else if (event.type === 'NodeCordoned') {
      row.unschedulable = true;
    } else if (event.type === 'NodeUncordoned') {
      row.unschedulable = false;
      row.drainRequested = false;
    } else if (event.type === 'NodeDrainRequested') {
      row.unschedulable = true;
      row.drainRequested = true;
    }
    await repository.save(row);
  }

  private registered(name: string, event: RecordedEvent<EventData<'NodeRegistered'>>, existing: NodeEntity | null): NodeEntity {
    const row = existing ?? new NodeEntity();
    if (!existing) {
      row.name = name;
      row.condition = 'Unknown';
      row.conditionReason = null;
      row.lastTransitionAt = event.recordedAt;
      row.unschedulable = false;
      row.drainRequested = false;
      row.registeredAt = event.recordedAt;
    }
    const data = event.data;
    row.address = data.address;
    row.bootId = data.bootId ?? null;
    row.labels = data.labels;
    row.taints = data.taints;
    row.capacity = data.capacity;
    row.allocatable = data.allocatable;
    row.info = data.info;
    row.streamVersion = event.streamVersion;
    row.position = event.globalPosition;
    return row;
  }
}
