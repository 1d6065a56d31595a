import * as content from 'infermon/content';
import { stack } from '../stack.ts';

/** The public endpoints' blackbox probes: failing for two minutes pages, a probe gone quiet opens a ticket. */
export const probeAlerts = content.probeAlerts({ probes: (stack.spec.probes ?? []).map((p) => p.name) });
