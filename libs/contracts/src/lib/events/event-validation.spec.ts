import { categoryOf, InvalidEvent, validateEvent, assertValidStreamId, InvalidStreamId, Subjects } from '../../index';

describe('validateEvent', () => {
  it('accepts a known event and applies defaults', () => {
    const event = validateEvent({
      type: 'ReplicaCreated',
      data: { namespace: 'default', deployment: 'web', revision: 1, templateHash: 'abc', template: {} },
    });
    expect(event.data).toMatchObject({ priority: 0 });
    expect(event.metadata).toEqual({});
  });

  it('rejects an unknown type by name', () => {
    expect(() => validateEvent({ type: 'Nope', data: {} })).toThrow('unknown event type "Nope"');
  });

  it('names each bad field of the data', () => {
    try {
      validateEvent({ type: 'ReplicaExited', data: { node: '', exitCode: 1.5, reason: 'Error' } });
      fail('expected InvalidEvent');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEvent);
      const fields = (error as InvalidEvent).issues.map((i) => i.field);
      expect(fields).toEqual(expect.arrayContaining(['data.node', 'data.exitCode', 'data.restartCount']));
    }
  });

  it('rejects an event id that is not a UUID', () => {
    expect(() => validateEvent({ type: 'NodeReady', eventId: 'x', data: {} })).toThrow(InvalidEvent);
  });
});

describe('stream ids and subjects', () => {
  it('derives the category from a stream id', () => {
    expect(categoryOf('deployment:default/web')).toBe('deployment');
  });

  it('refuses a malformed stream id', () => {
    expect(() => assertValidStreamId('no category')).toThrow(InvalidStreamId);
    expect(() => assertValidStreamId('replica:0b7c')).not.toThrow();
  });

  it('builds per-node subjects', () => {
    expect(Subjects.nodeHeartbeat('n1')).toBe('berth.node.n1.heartbeat');
    expect(Subjects.event('replica', 'ReplicaScheduled')).toBe('berth.events.replica.ReplicaScheduled');
  });
});
