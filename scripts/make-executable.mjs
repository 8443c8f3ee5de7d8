// tsc writes the CLI entry as 0644; `npx cc2cc` and the `cc2cc` bin link need it executable.
import { chmodSync } from 'node:fs';

for (const file of process.argv.slice(2)) chmodSync(file, 0o755);
