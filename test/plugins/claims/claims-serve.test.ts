import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../src/testing/wait-for.js';
import { makeProject, processGone, selfWake, startAgent } from '../../mcp/support.js';
import type { StdioAgent } from '../../../src/demo/stdio-agent.js';

/** `cc2cc serve --name NAME` in `project`, past its self-wake. */
async function serve(project: string, name: string): Promise<StdioAgent> {
  const agent = await startAgent(project, ['--name', name]);
  await selfWake(agent);
  return agent;
}

interface ListedClaim {
  holder: string;
  expiresAt: string;
}

/** `list_claims` parsed back: holder and expiry of each line. */
async function claimsSeen(agent: StdioAgent): Promise<ListedClaim[]> {
  const { text } = await agent.call('list_claims');
  if (text === 'no claims') return [];
  return text.split('\n').map((line) => ({ holder: line.split(' ')[0]!, expiresAt: /expires (\S+),/.exec(line)![1]! }));
}

describe('claims through real cc2cc serve processes', () => {
  it(
    'an exclusive claim refuses an overlapping one, naming holder, paths, reason and expiry; ' + 'release frees it',
    async () => {
      const project = await makeProject({ plugins: ['claims'] });
      const ann = await serve(project, 'ann');
      const bob = await serve(project, 'bob');
      expect(await ann.call('claim', { paths: ['src/**'], reason: 'auth refactor' })).toMatchObject({
        isError: false,
        text: expect.stringMatching(/^claimed src\/\*\* \(exclusive/),
      });

      const refused = await bob.call('claim', { paths: ['src/auth/login.ts'], exclusive: false });
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(
        new RegExp(
          String.raw`CLAIM_CONFLICT: cannot claim src\/auth\/login\.ts: ann holds src\/\*\* \(` +
            String.raw`exclusive, "auth refactor", expires \d{4}-\d\d-\d\dT[^,]+, in \d+ min\)`,
        ),
      );
      // No overlap: `*.md` does not reach into folders.
      expect(await bob.call('claim', { paths: ['*.md'] })).toMatchObject({ isError: false });
      expect(await bob.call('claim', { paths: ['docs/x.md'] })).toMatchObject({ isError: false });

      expect(await ann.call('release', { paths: ['src/**'] })).toMatchObject({
        isError: false,
        text: 'released src/**',
      });
      expect(await bob.call('claim', { paths: ['src/auth/login.ts'] })).toMatchObject({ isError: false });
      expect((await claimsSeen(ann)).map((claim) => claim.holder)).toEqual(['bob', 'bob', 'bob']);
      // A shared claim by ann over bob's exclusive one is refused too; over another shared one it is not.
      expect((await ann.call('claim', { paths: ['src/auth/*'], exclusive: false })).text).toMatch(
        /bob holds src\/auth\/login\.ts \(exclusive/,
      );
      expect(await bob.call('release')).toMatchObject({ text: expect.stringMatching(/^released /) });
      expect(await bob.call('claim', { paths: ['lib/**'], exclusive: false })).toMatchObject({ isError: false });
      expect(await ann.call('claim', { paths: ['lib/a.ts'], exclusive: false })).toMatchObject({ isError: false });
      expect((await ann.call('claim', { paths: ['lib/b.ts'] })).text).toMatch(/bob holds lib\/\*\* \(shared/);
    },
  );

  it('expiry frees a claim whose holder stopped; a restarted holder keeps its claims and renews them', async () => {
    const project = await makeProject({ plugins: ['claims'], heartbeatMs: 300 });
    const ann = await serve(project, 'ann');
    let bob = await serve(project, 'bob');
    expect(await bob.call('claim', { paths: ['a.txt'], ttl_s: 1.5, reason: 'short' })).toMatchObject({
      isError: false,
    });
    expect(await bob.call('claim', { paths: ['b.txt'], ttl_s: 600, reason: 'long' })).toMatchObject({ isError: false });

    await bob.close(); // a clean stop keeps claims: they belong to the name
    // a.txt's claim expires 1.5 s after bob's last renewal: then ann may take it.
    await waitFor(async () => !(await ann.call('claim', { paths: ['a.txt'] })).isError, {
      what: 'the expired claim to free a.txt',
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    expect((await ann.call('claim', { paths: ['b.txt'] })).text).toMatch(/bob holds b\.txt \(exclusive, "long"/);

    bob = await serve(project, 'bob');
    const before = (await claimsSeen(ann)).find((claim) => claim.holder === 'bob')!;
    // The restarted holder's heartbeat renews it: its expiry moves on.
    await waitFor(
      async () => (await claimsSeen(ann)).find((claim) => claim.holder === 'bob' && claim.expiresAt > before.expiresAt),
      { what: 'a renewal' },
    );
    expect((await bob.call('claim', { paths: ['a.txt'] })).text).toMatch(/ann holds a\.txt/);
  });

  it("a SIGKILLed holder's claims expire within one heartbeat after their time-to-live", async () => {
    const heartbeatMs = 400;
    const ttlMs = 2000;
    const project = await makeProject({ plugins: ['claims'], heartbeatMs });
    const ann = await serve(project, 'ann');
    const bob = await serve(project, 'bob');
    expect(await bob.call('claim', { paths: ['src/**'], ttl_s: ttlMs / 1000 })).toMatchObject({ isError: false });
    // Renewed while it runs.
    const first = (await claimsSeen(ann))[0]!;
    await waitFor(async () => (await claimsSeen(ann))[0]!.expiresAt > first.expiresAt, { what: 'a renewal' });

    const pid = bob.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => processGone(pid), { what: `pid ${pid} to end` });
    const killedAt = Date.now();
    const last = (await claimsSeen(ann))[0]!;
    // The claim's end, as stored, is within its time-to-live (plus one heartbeat) of the death.
    expect(Date.parse(last.expiresAt)).toBeLessThanOrEqual(killedAt + ttlMs + heartbeatMs);
    await waitFor(async () => (await claimsSeen(ann)).length === 0, {
      what: "the dead holder's claim to expire",
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    expect(await ann.call('claim', { paths: ['src/a.ts'] })).toMatchObject({ isError: false });
    await bob.close().catch(() => {});
  });
});
