import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/kernel/logger.js';
import { createTransport } from '../../../src/transports/registry.js';
import {
  defaultNamespace,
  DEFAULT_REDIS_URL,
  optionsFromConfig,
  RedisKeys,
} from '../../../src/transports/redis/index.js';

const context = { root: '/work/app/.cc2cc', projectDir: '/work/app', maxBytes: 65536, logger: silentLogger };
const config = { maxAttempts: 3, configPath: '/work/app/.cc2ccrc.json' };

describe('redis transport options', () => {
  it('takes the URL from the config, else CC2CC_REDIS_URL, else the local default', () => {
    const env = { CC2CC_REDIS_URL: 'redis://env-host:6380' };
    expect(optionsFromConfig({ url: 'redis://config-host:6379' }, context, config, env).url).toBe(
      'redis://config-host:6379',
    );
    expect(optionsFromConfig({}, context, config, env).url).toBe('redis://env-host:6380');
    expect(optionsFromConfig({}, context, config, { CC2CC_REDIS_URL: ' ' }).url).toBe(DEFAULT_REDIS_URL);
  });

  it(
    'takes the namespace from the config, else CC2CC_REDIS_NAMESPACE, else one derived from the ' + 'project folder',
    () => {
      const env = { CC2CC_REDIS_NAMESPACE: 'team-bus' };
      expect(optionsFromConfig({ namespace: 'shared' }, context, config, env).namespace).toBe('shared');
      expect(optionsFromConfig({}, context, config, env).namespace).toBe('team-bus');
      expect(optionsFromConfig({}, context, config, {}).namespace).toBe(defaultNamespace('/work/app'));
    },
  );

  it('derives a readable namespace that differs per folder path, even for folders of one name', () => {
    expect(defaultNamespace('/work/app')).toMatch(/^app-[0-9a-f]{8}$/);
    expect(defaultNamespace('/home/ann/app')).not.toBe(defaultNamespace('/work/app'));
    expect(defaultNamespace('/tmp/My Project!')).toMatch(/^my-project-[0-9a-f]{8}$/);
    expect(defaultNamespace('/')).toMatch(/^project-[0-9a-f]{8}$/);
  });

  it('passes the kernel settings on (maxBytes, maxAttempts) and its own retention of done ids', () => {
    expect(
      optionsFromConfig(
        { minIdleMs: 2000, maxLen: 10, retention: { doneMs: 60_000, maxDone: 50 } },
        context,
        config,
        {},
      ),
    ).toMatchObject({
      maxBytes: 65536,
      maxAttempts: 3,
      doneMs: 60_000,
      maxDone: 50,
      minIdleMs: 2000,
      maxLen: 10,
    });
  });

  it('refuses unknown fields and bad values, naming the field', () => {
    expect(() => optionsFromConfig({ urll: 'redis://x' }, context, config, {})).toThrow(
      /fields: use, url, namespace, .*\n {2}transport: Unrecognized key: "urll"/,
    );
    expect(() => optionsFromConfig({ namespace: 'a:b' }, context, config, {})).toThrow(
      /transport\.namespace: a Redis namespace is 1–64 characters/,
    );
    expect(() => optionsFromConfig({ minIdleMs: -1 }, context, config, {})).toThrow(/transport\.minIdleMs/);
    for (const ackWindow of [0, 1.5, 2000])
      expect(() => optionsFromConfig({ ackWindow }, context, config, {})).toThrow(/transport\.ackWindow/);
    expect(optionsFromConfig({ ackWindow: 1 }, context, config, {})).toMatchObject({ ackWindow: 1 });
    expect(() => optionsFromConfig({}, context, config, { CC2CC_REDIS_NAMESPACE: 'a b' })).toThrow(
      /CC2CC_REDIS_NAMESPACE/,
    );
  });

  it('keeps every key of a namespace under cc2cc:<namespace>:', () => {
    const keys = new RedisKeys('app-1');
    expect([
      keys.agents,
      keys.traffic,
      keys.inbox('calm-owl'),
      keys.dead('calm-owl'),
      keys.done('calm-owl'),
      keys.lock('calm-owl'),
      keys.presence('calm-owl'),
    ]).toEqual([
      'cc2cc:app-1:agents',
      'cc2cc:app-1:traffic',
      'cc2cc:app-1:inbox:calm-owl',
      'cc2cc:app-1:dead:calm-owl',
      'cc2cc:app-1:done:calm-owl',
      'cc2cc:app-1:lock:calm-owl',
      'cc2cc:app-1:presence:calm-owl',
    ]);
    expect(() => new RedisKeys('*')).toThrow(/INVALID|namespace/);
  });

  it('never switches a project to Redis by the environment alone: only the config selects it', async () => {
    const saved = process.env.CC2CC_REDIS_URL;
    process.env.CC2CC_REDIS_URL = 'redis://127.0.0.1:1';
    try {
      const transport = await createTransport(
        resolveConfig({ transport: 'memory' }, { projectDir: '/tmp' }),
        silentLogger,
      );
      expect(transport.kind).toBe('memory');
      await transport.close();
      await expect(
        createTransport(
          resolveConfig({ transport: { use: 'redis', connectTimeoutMs: 200 } }, { projectDir: '/tmp' }),
          silentLogger,
        ),
      ).rejects.toMatchObject({
        code: 'TRANSPORT_UNAVAILABLE',
        message: expect.stringContaining('redis://127.0.0.1:1'),
      });
    } finally {
      if (saved === undefined) delete process.env.CC2CC_REDIS_URL;
      else process.env.CC2CC_REDIS_URL = saved;
    }
  });
});
