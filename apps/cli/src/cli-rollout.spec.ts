import { FakeApiServer, sendJson, streamEvents } from './testing/fake-api.fixture';
import { deployment } from './testing/objects.fixture';
import { runBerth } from './testing/run-cli.fixture';

const DEPLOYMENT_PATH = '/apis/apps/v1/namespaces/default/deployments';

/** A deployment mid-rollout: `updated` new replicas of 3, `available` of them available. */
function rolling(updated: number, available: number, total = 3, resourceVersion = '60') {
  const d = deployment('web', { replicas: 3, updated, available, ready: available });
  d.status.replicas = total;
  d.metadata.resourceVersion = resourceVersion;
  return d;
}

describe('berth rollout (against a fake gateway)', () => {
  let api: FakeApiServer;
  beforeAll(async () => {
    api = await FakeApiServer.start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  it('status prints progress from the watch until the rollout is done', async () => {
    api.json('GET', `${DEPLOYMENT_PATH}/web`, rolling(1, 0, 4, '60'));
    api.on('GET', DEPLOYMENT_PATH, (_req, res) =>
      streamEvents(
        res,
        [
          { type: 'MODIFIED', object: rolling(3, 1, 4, '61') },
          { type: 'MODIFIED', object: rolling(3, 1, 3, '62') },
          { type: 'MODIFIED', object: rolling(3, 1, 3, '63') },
          { type: 'MODIFIED', object: rolling(3, 3, 3, '64') },
        ],
        true,
      ),
    );
    const result = await runBerth(['rollout', 'status', 'deployment/web'], { server: api.url });
    expect(result).toEqual({
      code: 0,
      stdout: [
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
        'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...',
        'deployment "web" successfully rolled out',
        '',
      ].join('\n'),
      stderr: '',
    });
    const watch = api.sent('GET', DEPLOYMENT_PATH)[0];
    expect(watch.query.get('watch')).toBe('true');
    expect(watch.query.get('fieldSelector')).toBe('metadata.name=web');
    expect(watch.query.get('resourceVersion')).toBe('60');
  });

  it('status exits 1 when the progress deadline is exceeded', async () => {
    const stuck = rolling(1, 0);
    stuck.status.conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
    api.json('GET', `${DEPLOYMENT_PATH}/web`, rolling(1, 0));
    api.on('GET', DEPLOYMENT_PATH, (_req, res) => streamEvents(res, [{ type: 'MODIFIED', object: stuck }]));
    const result = await runBerth(['rollout', 'status', 'deploy', 'web'], { server: api.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: deployment "web" exceeded its progress deadline\n');
  });

  it('status gives up after --timeout with a non-zero exit', async () => {
    api.json('GET', `${DEPLOYMENT_PATH}/web`, rolling(1, 0));
    api.on('GET', DEPLOYMENT_PATH, (_req, res) => streamEvents(res, []));
    const started = Date.now();
    const result = await runBerth(['rollout', 'status', 'web', '--timeout', '300ms'], { server: api.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: timed out waiting for the condition\n');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('status --no-watch prints the current state once', async () => {
    api.json('GET', `${DEPLOYMENT_PATH}/web`, rolling(3, 1, 3));
    const result = await runBerth(['rollout', 'status', 'deployment/web', '--no-watch'], { server: api.url });
    expect(result).toEqual({ code: 0, stdout: 'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...\n', stderr: '' });
    expect(api.requests).toHaveLength(1);
  });

  it('history lists revisions, and --revision shows one', async () => {
    api.json('GET', `${DEPLOYMENT_PATH}/web/history`, {
      kind: 'DeploymentHistory',
      revisions: [
        { revision: 2, templateHash: 'b2', images: ['nginx:1.25'], createdAt: '2024-05-01T11:00:00Z', changeCause: 'bump nginx' },
        { revision: 1, templateHash: 'a1', images: ['nginx:1.24'], createdAt: '2024-05-01T10:00:00Z' },
      ],
    });
    expect((await runBerth(['rollout', 'history', 'deployment/web'], { server: api.url })).stdout).toBe(
      ['deployment.apps/web', 'REVISION  IMAGES      CHANGE-CAUSE', '1         nginx:1.24  <none>', '2         nginx:1.25  bump nginx', ''].join('\n'),
    );
    const one = await runBerth(['rollout', 'history', 'deployment/web', '--revision', '2'], { server: api.url });
    expect(one.stdout).toContain('deployment.apps/web with revision #2\nPod Template:\n  Images:');
    expect(one.stdout).toContain('Template Hash:  b2');
    const missing = await runBerth(['rollout', 'history', 'deployment/web', '--revision', '9'], { server: api.url });
    expect(missing).toMatchObject({ code: 1, stderr: 'error: unable to find the specified revision 9 of deployment.apps/web\n' });
  });

  it('undo posts a rollback, to the previous revision or --to-revision', async () => {
    api.on('POST', `${DEPLOYMENT_PATH}/web/rollback`, (_req, res) => sendJson(res, 200, deployment('web')));
    expect((await runBerth(['rollout', 'undo', 'deployment/web'], { server: api.url })).stdout).toBe('deployment.apps/web rolled back\n');
    await runBerth(['rollout', 'undo', 'deployment/web', '--to-revision', '3'], { server: api.url });
    expect(api.sent('POST', `${DEPLOYMENT_PATH}/web/rollback`).map((r) => JSON.parse(r.body) as unknown)).toEqual([{}, { toRevision: 3 }]);
  });

  it('undo reports the server refusing an unknown revision', async () => {
    api.status('POST', `${DEPLOYMENT_PATH}/web/rollback`, 400, 'BadRequest', 'revision 7 of deployment "web" not found');
    expect(await runBerth(['rollout', 'undo', 'deployment/web', '--to-revision=7'], { server: api.url })).toMatchObject({
      code: 1,
      stderr: 'Error from server (BadRequest): revision 7 of deployment "web" not found\n',
    });
  });

  it('pause and resume merge-patch spec.paused, refusing a no-op', async () => {
    api.json('GET', `${DEPLOYMENT_PATH}/web`, deployment('web'));
    api.on('PATCH', `${DEPLOYMENT_PATH}/web`, (_req, res) => sendJson(res, 200, deployment('web')));
    expect((await runBerth(['rollout', 'pause', 'deployment/web'], { server: api.url })).stdout).toBe('deployment.apps/web paused\n');
    const [patch] = api.sent('PATCH', `${DEPLOYMENT_PATH}/web`);
    expect(patch.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(patch.body)).toEqual({ spec: { paused: true } });
    expect(await runBerth(['rollout', 'resume', 'deployment/web'], { server: api.url })).toMatchObject({ code: 1, stderr: 'error: deployments.apps "web" is not paused\n' });
    const paused = deployment('web');
    paused.spec.paused = true;
    api.json('GET', `${DEPLOYMENT_PATH}/web`, paused);
    expect((await runBerth(['rollout', 'resume', 'deployment/web'], { server: api.url })).stdout).toBe('deployment.apps/web resumed\n');
    expect(JSON.parse(api.sent('PATCH', `${DEPLOYMENT_PATH}/web`)[1].body)).toEqual({ spec: { paused: false } });
  });

  it('restart stamps the pod template so every replica is replaced', async () => {
    api.on('PATCH', `${DEPLOYMENT_PATH}/web`, (_req, res) => sendJson(res, 200, deployment('web')));
    expect((await runBerth(['rollout', 'restart', 'deployment/web'], { server: api.url })).stdout).toBe('deployment.apps/web restarted\n');
    expect(JSON.parse(api.sent('PATCH', `${DEPLOYMENT_PATH}/web`)[0].body)).toEqual({
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T12:00:00.000Z' } } } },
    });
  });

  it('refuses kinds other than deployments', async () => {
    expect(await runBerth(['rollout', 'status', 'svc/web'], { server: api.url })).toMatchObject({ code: 1, stderr: 'error: services are not supported here; expected deployments\n' });
  });
});
