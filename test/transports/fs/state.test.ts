import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../../../src/kernel/logger.js';
import { FsTransport } from '../../../src/transports/fs/fs-transport.js';
import { runStateContract } from '../../../src/testing/state-contract.js';

// The racing and crash tests spawn test/fixtures/state-worker.mjs, which loads dist/: run `npm run build` first.
runStateContract({
  name: 'fs',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-state-'));
    const root = join(dir, '.cc2cc');
    const opened: FsTransport[] = [];
    return {
      async connect() {
        const transport = new FsTransport({ root, logger: silentLogger, watch: false });
        opened.push(transport);
        return transport.busState;
      },
      async cleanup() {
        await Promise.all(opened.map((transport) => transport.close()));
        await rm(dir, { recursive: true, force: true });
      },
      worker: {
        opener: pathToFileURL(join(import.meta.dirname, '../../fixtures/state-fs.mjs')).href,
        options: { root },
      },
    };
  },
});
