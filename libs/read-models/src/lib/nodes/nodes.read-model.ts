import { DataSource } from 'typeorm';
import { ReadModelDefinition } from '../read-model';
import { CreateNodesReadModel1733100000000 } from './migrations/1733100000000-create-nodes-read-model';
import { NodeEntity } from './node.entity';
import { NodeCondition, nodeConditions, NodeView } from './node-view.model';
import { NodesProjection } from './nodes.projection';

export const nodesReadModel: ReadModelDefinition = {
  name: 'nodes',
  entities: [NodeEntity],
  migrations: [CreateNodesReadModel1733100000000],
  createProjection: () => new NodesProjection(),
};

function toView(row: NodeEntity): NodeView {
  return { ...row };
}

/** Queries over the `nodes` read model (eventually consistent with the log). */
export class NodesReadModel {
  constructor(private readonly dataSource: DataSource) {}

  async list(): Promise<NodeView[]> {
    const rows = await this.dataSource.getRepository(NodeEntity).find({ order: { name: 'ASC' } });
    return rows.map(toView);
  }

  async get(name: string): Promise<NodeView | null> {
    const row = await this.dataSource.getRepository(NodeEntity).findOneBy({ name });
    return row ? toView(row) : null;
  }

  async countByCondition(): Promise<Record<NodeCondition, number>> {
    const rows: { condition: NodeCondition; n: number }[] = await this.dataSource
      .getRepository(NodeEntity)
      .createQueryBuilder('node')
      .select('node.condition', 'condition')
      .addSelect('count(*)::int', 'n')
      .groupBy('node.condition')
      .getRawMany();
    const counts = Object.fromEntries(nodeConditions.map((c) => [c, 0])) as Record<NodeCondition, number>;
    for (const row of rows) counts[row.condition] = row.n;
    return counts;
  }
}
