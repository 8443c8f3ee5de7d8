import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runTransportContract } from '../../../src/testing/transport-contract.js';
import { FsTransport, type FsTransportOptions } from '../../../src/transports/fs/fs-transport.js';
import { silentLogger } from '../../../src/kernel/logger.js';

// The cross-process clause runs test/fixtures/state-fs.mjs, which loads dist/: run `npm run build` first.
const OPENER = pathToFileURL(join(import.meta.dirname, '../../fixtures/state-fs.mjs')).href;

/** The folder transport under the shared contract, once per way it can notice and store files. */
function runFsContract(name: string, options: Partial<FsTransportOptions>): void {
  runTransportContract({
    name,
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'cc2cc-contract-'));
      const root = join(dir, '.cc2cc');
      return {
        connect: async () => new FsTransport({ root, logger: silentLogger, ...options }),
        cleanup: () => rm(dir, { recursive: true, force: true }),
        process: { opener: OPENER, options: { root, ...options } },
        // A receiver on another machine: its record in the lock file, written whole (temp file, rename).
        async takeOver(agent) {
          const lock = join(root, `to-${agent}`, 'lock');
          const other = { pid: 4242, host: 'machine-b', startedAt: new Date().toISOString(), token: 'b' };
          await writeFile(`${lock}.taking`, `${JSON.stringify(other)}\n`);
          await rename(`${lock}.taking`, lock);
        },
        dropLock: (agent) => unlink(join(root, `to-${agent}`, 'lock')),
      };
    },
  });
}

runFsContract('fs', { rescanMs: 500 });
runFsContract('fs (rescan only, no fs.watch)', { rescanMs: 20, watch: false });
runFsContract('fs (no fsync)', { rescanMs: 500, fsync: false });
