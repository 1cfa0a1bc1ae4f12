import { PlainState } from '../testing/autoscaler.fixture';

describe('HpaState', () => {
  it('rebuilds recommendation and scale-event history from Decided events, and forgets it when the HPA is re-created', () => {
    const state = new PlainState();
    state.hpa('web', 'web');
    const t1 = state.seq.now;
    state.push('hpa:default/web', 'HorizontalPodAutoscalerDecided', { currentReplicas: 2, desiredReplicas: 6, reason: 'up', recommendation: 8 });
    state.advance(60_000);
    state.push('hpa:default/web', 'HorizontalPodAutoscalerDecided', { currentReplicas: 6, desiredReplicas: 4, reason: 'down' });

    const record = state.hpaRecord('web');
    expect(record.history.recommendations).toEqual([{ timestamp: t1, replicas: 8 }, { timestamp: t1 + 60_000, replicas: 4 }]);
    expect(record.history.scaleEvents).toEqual([{ timestamp: t1, replicaChange: 4 }, { timestamp: t1 + 60_000, replicaChange: -2 }]);
    expect(record.version).toBe(2);

    state.push('hpa:default/web', 'HorizontalPodAutoscalerUpdated', { manifest: { spec: { maxReplicas: 5 } } });
    expect(state.hpaRecord('web')).toMatchObject({ generation: 2, history: { scaleEvents: [{}, {}] } });

    state.push('hpa:default/web', 'HorizontalPodAutoscalerDeleted', {});
    expect(state.hpas.hpas.has('default/web')).toBe(false);
    state.hpa('web', 'web');
    expect(state.hpaRecord('web').history).toEqual({ recommendations: [], scaleEvents: [] });
  });
});
