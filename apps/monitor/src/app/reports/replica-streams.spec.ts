import { ReplicaStreams } from './replica-streams';

describe('ReplicaStreams', () => {
  it('asks once for every stream asked about in the same turn, and remembers the ones that exist', async () => {
    const queries: string[][] = [];
    const streams = new ReplicaStreams({
      existingStreams: async (ids: string[]) => {
        queries.push(ids);
        return new Set(ids.filter((id) => id !== 'replica:gone'));
      },
    });
    const answers = await Promise.all([streams.exists('replica:a'), streams.exists('replica:b'), streams.exists('replica:a'), streams.exists('replica:gone')]);
    expect(answers).toEqual([true, true, true, false]);
    expect(queries).toEqual([['replica:a', 'replica:b', 'replica:gone']]);
    expect(await streams.exists('replica:a')).toBe(true);
    expect(await streams.exists('replica:gone')).toBe(false);
    expect(queries).toEqual([['replica:a', 'replica:b', 'replica:gone'], ['replica:gone']]);
  });

  it('fails every waiting caller when the lookup fails, and asks again next time', async () => {
    let fail = true;
    const streams = new ReplicaStreams({
      existingStreams: async (ids: string[]) => {
        if (fail) throw new Error('database away');
        return new Set(ids);
      },
    });
    await expect(Promise.all([streams.exists('replica:a'), streams.exists('replica:b')])).rejects.toThrow('database away');
    fail = false;
    expect(await streams.exists('replica:a')).toBe(true);
  });
});
