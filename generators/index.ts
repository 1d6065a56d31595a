import type { Generator } from './generator.ts';
import { catalogDocs } from './docs/catalog.ts';
import { datasourcesGenerator } from './grafana/datasources.ts';
import { generateDashboards } from './grafana/index.ts';
import { runbooks } from './docs/runbooks.ts';
import { otelCollectorGenerator } from './otel-collector/config.ts';
import { prometheusRules } from './prometheus-rules/index.ts';
import { scrapeWiring } from './kubernetes/scrape-wiring.ts';
import { openSloArtifacts } from './openslo/index.ts';
import { sloArtifacts } from './slo/index.ts';

export type { Generator } from './generator.ts';

/** Every output kind, in no particular order: the pipeline sorts paths. */
export const GENERATORS: Generator[] = [prometheusRules, catalogDocs, runbooks, ...scrapeWiring, generateDashboards, datasourcesGenerator, otelCollectorGenerator, sloArtifacts, openSloArtifacts];
