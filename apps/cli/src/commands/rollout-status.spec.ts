import { deployment } from '../testing/objects.fixture';
import type { Deployment } from '@berth/contracts';
import type { Wire } from '../client/api.types';
import { rolloutStatus as viewStatus } from './rollout-status';

const rolloutStatus = (d: unknown) => viewStatus(d as Wire<Deployment>);

type D = ReturnType<typeof deployment>;
const withStatus = (patch: Partial<D['status']>, generation = 1, replicas = 3): D => {
  const d = deployment('web', { replicas });
  d.metadata.generation = generation;
  d.status = { ...d.status, ...patch };
  return d;
};

describe('rolloutStatus (kubectl DeploymentStatusViewer)', () => {
  it('waits for the controller to observe a new generation', () => {
    expect(rolloutStatus(withStatus({ observedGeneration: 1 }, 2))).toEqual({ state: 'progressing', message: 'Waiting for deployment spec update to be observed...' });
  });
  it('counts updated replicas first, then old ones terminating, then available ones', () => {
    expect(rolloutStatus(withStatus({ updatedReplicas: 1, replicas: 4, availableReplicas: 3 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    );
    expect(rolloutStatus(withStatus({ updatedReplicas: 3, replicas: 4, availableReplicas: 3 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    );
    expect(rolloutStatus(withStatus({ updatedReplicas: 3, replicas: 3, availableReplicas: 1 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...',
    );
  });
  it('is done when every replica is updated and available', () => {
    expect(rolloutStatus(withStatus({}))).toEqual({ state: 'done', message: 'deployment "web" successfully rolled out' });
  });
  it('fails once the progress deadline is exceeded', () => {
    const d = withStatus({ updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    expect(rolloutStatus(d)).toEqual({ state: 'failed', message: 'deployment "web" exceeded its progress deadline' });
  });
  it('treats a deployment scaled to zero as rolled out', () => {
    expect(rolloutStatus(withStatus({ replicas: 0, updatedReplicas: 0, availableReplicas: 0 }, 1, 0)).state).toBe('done');
  });
});
