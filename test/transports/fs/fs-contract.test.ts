import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTransportContract } from '../../contract/transport-contract.js';
import { FsTransport } from '../../../src/transports/fs/fs-transport.js';
import { silentLogger } from '../../../src/kernel/logger.js';

runTransportContract({
  name: 'fs',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-contract-'));
    const root = join(dir, '.cc2cc');
    return {
      connect: async () => new FsTransport({ root, logger: silentLogger, rescanMs: 500 }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
});

runTransportContract({
  name: 'fs (rescan only, no fs.watch)',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-contract-poll-'));
    const root = join(dir, '.cc2cc');
    return {
      connect: async () => new FsTransport({ root, logger: silentLogger, rescanMs: 20, watch: false }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
});

runTransportContract({
  name: 'fs (no fsync)',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-contract-nosync-'));
    const root = join(dir, '.cc2cc');
    return {
      connect: async () => new FsTransport({ root, logger: silentLogger, rescanMs: 500, fsync: false }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
