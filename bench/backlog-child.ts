// Drains a queued inbox and reports seconds and peak RSS: node backlog-child.js <dir> <count>
import { performance } from 'node:perf_hooks';
import { fsTransports, kernel, TimingSink } from './harness.js';

const [dir, countText] = process.argv.slice(2);
const count = Number(countText);
const sink = new TimingSink();
const agent = await kernel(await fsTransports(dir!)(), { sink });
const started = performance.now();
await agent.bus.attach('receiver');
await sink.until(count);
const seconds = (performance.now() - started) / 1000;
await agent.close();
process.stdout.write(`${JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
