// Renders the Figures section of docs/performance.md from the committed bench/results/latest.json,
// without running the bench: npm run bench:doc
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LATEST_REPORT, PERFORMANCE_DOC, writeFiguresSection } from './doc-section.js';
import type { BenchReport } from './report.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const report = JSON.parse(await readFile(join(REPO, LATEST_REPORT), 'utf8')) as BenchReport;
await writeFiguresSection(REPO, report);
process.stderr.write(`rendered ${PERFORMANCE_DOC} from ${LATEST_REPORT}\n`);
