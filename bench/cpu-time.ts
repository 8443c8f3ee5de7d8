import { readdir, readFile } from 'node:fs/promises';

export interface CpuClock {
  /** Where the figure comes from, for the result's description. */
  source: string;
  /** CPU time the process has used so far, in ms. */
  readMs(): Promise<number>;
}

/**
 * The CPU time of another process. schedstat's first field is nanoseconds on CPU per thread
 * (all of Node's threads: main, libuv pool, V8 workers); /proc/<pid>/stat's utime + stime
 * are 10 ms ticks, too coarse for a few ms of idle work, so they are only the fallback.
 * One source is chosen up front so both readings of a window compare like with like.
 * A thread that exits mid-window takes its schedstat time with it (Node's threads live
 * as long as the process, so an idle server does not lose any).
 */
export async function processCpuClock(pid: number): Promise<CpuClock> {
  const schedstat = () => schedstatMs(pid);
  try {
    await schedstat();
    return { source: '/proc/<pid>/task/*/schedstat (ns, all threads)', readMs: schedstat };
  } catch {
    return { source: '/proc/<pid>/stat utime + stime (10 ms ticks)', readMs: () => statTicksMs(pid) };
  }
}

async function schedstatMs(pid: number): Promise<number> {
  const threads = await readdir(`/proc/${pid}/task`);
  const times = await Promise.all(
    threads.map((tid) =>
      readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ESRCH') return '0'; // the thread exited since readdir
        throw error;
      }),
    ),
  );
  const nanoseconds = times.reduce((sum, text) => sum + Number(text.split(' ')[0]), 0);
  if (!Number.isFinite(nanoseconds)) throw new Error(`unreadable schedstat for ${pid}`);
  return nanoseconds / 1e6;
}

async function statTicksMs(pid: number): Promise<number> {
  // The command name in field 2 may hold spaces: split after its closing parenthesis.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks: 100 Hz on Linux
}
