import { OUT } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import { BLACKBOX_MODULES, type BlackboxModule } from '../../src/model/probes.ts';

/**
 * blackbox.yml for the prometheus-blackbox-exporter, with every module `stack.probes` may name. Written
 * whenever the stack probes anything, whatever runs Prometheus: the exporter reads the same file either way.
 */

export const BLACKBOX_CONFIG = `${OUT.blackbox}/blackbox.yml`;

/** Matches the overall status of document 002's health report when it is `healthy` or `degraded`. */
export const HEALTHY_REPORT_REGEXP = '"status":\\s*"(healthy|degraded)",\\s*"timestamp"';

// Without valid_status_codes the http prober accepts any 2xx.
const http2xx = { prober: 'http', timeout: '5s', http: { preferred_ip_protocol: 'ip4', method: 'GET' } };

export const BLACKBOX_MODULE_CONFIGS: Record<BlackboxModule, Record<string, unknown>> = {
  http_2xx: http2xx,
  http_health: {
    ...http2xx,
    http: {
      ...http2xx.http,
      headers: { Accept: 'application/json' },
      fail_if_body_not_matches_regexp: [HEALTHY_REPORT_REGEXP],
    },
  },
};

export function blackboxConfig(): Record<string, unknown> {
  return { modules: Object.fromEntries([...BLACKBOX_MODULES].sort().map((m) => [m, BLACKBOX_MODULE_CONFIGS[m]])) };
}

export function blackboxGenerator(model: Model): Artifact[] {
  const stack = model.stack.value;
  if (stack.probes.length === 0) return [];
  return [{ path: BLACKBOX_CONFIG, format: 'yaml', document: blackboxConfig(), header: fileHeader(stack, [model.stack.file]) }];
}
