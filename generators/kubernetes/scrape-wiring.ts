import type { Generator } from '../generator.ts';
import { alertmanagerGenerator } from '../alertmanager/config.ts';
import { logsGenerator } from '../logs/loki.ts';
import { prometheusConfigGenerator } from '../prometheus/config.ts';
import { kubePrometheusStackValuesGenerator } from './kube-prometheus-stack-values.ts';
import { monitorsGenerator } from './monitors.ts';
import { probesGenerator } from './probes.ts';
import { blackboxGenerator } from '../blackbox/config.ts';

/**
 * Scrape and probe wiring, Alertmanager and log pipeline outputs, registered together so the registry needs one
 * entry for all of them.
 */
export const scrapeWiring: Generator[] = [
  monitorsGenerator,
  probesGenerator,
  blackboxGenerator,
  prometheusConfigGenerator,
  kubePrometheusStackValuesGenerator,
  alertmanagerGenerator,
  logsGenerator,
];
