import cluster from 'node:cluster';

export interface Serving {
  urls: Record<string, string | undefined>;
  close: () => Promise<void>;
}

/**
 * Runs `start` in `workers` processes that share its listening sockets (node:cluster), for the bench's
 * question whether more router processes help on this machine: a port of 0 is the same random port in
 * every worker. In the primary, resolves with the URLs the workers report and every worker's pid; in a
 * worker, with its own serving, whose URLs must not be printed (workers share the primary's stdout).
 */
export async function clustered(workers: number, start: () => Promise<Serving>): Promise<Serving & { pids: number[]; primary: boolean }> {
  if (cluster.isWorker) {
    const serving = await start();
    process.send!(serving.urls);
    return { ...serving, pids: [process.pid], primary: false };
  }
  const forked = Array.from({ length: workers }, () => cluster.fork());
  const reports = await Promise.all(forked.map((w) => new Promise<Serving['urls']>((resolve) => w.once('message', resolve))));
  return {
    urls: reports[0]!,
    pids: forked.map((w) => w.process.pid!),
    primary: true,
    close: async () => {
      await Promise.all(forked.map((w) => new Promise((resolve) => w.once('exit', resolve).kill('SIGTERM'))));
    },
  };
}
