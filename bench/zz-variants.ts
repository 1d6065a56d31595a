import { join } from 'node:path';
import { freePort, routerConfig, runRouterBench, spawnServer } from './router.ts';
const r = await runRouterBench(async (pod, dir) => [
  { name: 'metrics only', url: (await spawnServer('router', routerConfig(pod, await freePort(), true, undefined))).urls.api },
  { name: 'log only', url: (await spawnServer('router', routerConfig(pod, await freePort(), false, join(dir, 'b.log')))).urls.api },
]);
console.log(r.targets.map((t) => `${t.name}: ${t.peakRps.toFixed(0)} ${t.p50.toFixed(2)}`).join('\n'));
process.exit(0);
