import type * as content from '../../content/index.ts';

/**
 * Which bundled content a scaffold wires, and when. A file is offered only when every source whose
 * metrics it reads is chosen, so a scaffold never queries series nobody scrapes.
 */

export type Chosen = ReadonlySet<string>;
export type ContentKind = 'alerts' | 'rules' | 'slos' | 'dashboards';
export type ContentFactory = { [K in keyof typeof content]: (typeof content)[K] extends (config?: never) => unknown ? K : never }[keyof typeof content];

export interface ContentFile {
  kind: ContentKind;
  /** The file under `specs/<kind>/`, also its template's name under `templates/init/specs/<kind>/`. */
  file: string;
  /** The `infermon/content` factory the file calls. */
  factory: ContentFactory;
  /** Whether the chosen sources provide every metric the content reads. */
  offered: (chosen: Chosen) => boolean;
  /** Platform sources (kube-prometheus-stack scrapes them already) whose series the content also reads. */
  platform?: readonly string[];
  /** Settings that depend on the chosen sources, passed to the factory and written into the spec file. */
  config?: (chosen: Chosen) => Record<string, unknown>;
}

const all =
  (...names: string[]) =>
  (chosen: Chosen) =>
    names.every((n) => chosen.has(n));
const any =
  (...names: string[]) =>
  (chosen: Chosen) =>
    names.some((n) => chosen.has(n));

const KUBE_STATE_METRICS = 'kube-state-metrics';
/** `up`, which Prometheus records for every target. */
const SCRAPE_SERIES = 'prometheus';

const RULES_AND_SLOS: readonly ContentFile[] = [
  { kind: 'alerts', file: 'vllm.ts', factory: 'vllmAlerts', offered: all('vllm') },
  { kind: 'alerts', file: 'dcgm.ts', factory: 'gpuAlerts', offered: all('dcgm') },
  { kind: 'alerts', file: 'kthena-router.ts', factory: 'kthenaRouterAlerts', offered: all('kthena-router'), platform: [SCRAPE_SERIES] },
  {
    kind: 'alerts',
    file: 'kthena-inference.ts',
    factory: 'kthenaInferenceAlerts',
    offered: all('kthena-inference'),
    platform: [KUBE_STATE_METRICS, SCRAPE_SERIES],
  },
  { kind: 'alerts', file: 'moe-router.ts', factory: 'moeRouterAlerts', offered: all('moe-router') },
  { kind: 'alerts', file: 'rag-backend.ts', factory: 'ragAlerts', offered: all('rag-backend') },
  { kind: 'rules', file: 'vllm.ts', factory: 'vllmRecordingRules', offered: all('vllm') },
  { kind: 'rules', file: 'dcgm.ts', factory: 'gpuRecordingRules', offered: all('dcgm') },
  { kind: 'rules', file: 'kthena-router.ts', factory: 'kthenaRouterRecordingRules', offered: all('kthena-router') },
  { kind: 'slos', file: 'vllm.ts', factory: 'vllmSlos', offered: all('vllm') },
  { kind: 'slos', file: 'kthena-router.ts', factory: 'kthenaRouterSlos', offered: all('kthena-router') },
  { kind: 'slos', file: 'kthena-inference.ts', factory: 'kthenaInferenceSlos', offered: all('kthena-inference') },
  { kind: 'slos', file: 'rag-backend.ts', factory: 'ragSlos', offered: all('rag-backend') },
  { kind: 'slos', file: 'arks-gateway.ts', factory: 'arksGatewaySlos', offered: all('arks-gateway') },
];

const hasSlos = (chosen: Chosen) => RULES_AND_SLOS.some((c) => c.kind === 'slos' && c.offered(chosen));

const DASHBOARDS: readonly ContentFile[] = [
  {
    kind: 'dashboards',
    file: 'llm-runtime.ts',
    factory: 'llmRuntimeDashboard',
    offered: any('vllm', 'sglang'),
    config: (chosen) => ({ runtimes: ['vllm', 'sglang'].filter((r) => chosen.has(r)) }),
  },
  { kind: 'dashboards', file: 'gpu.ts', factory: 'gpuDashboard', offered: all('dcgm') },
  { kind: 'dashboards', file: 'kthena-router.ts', factory: 'kthenaRouterDashboard', offered: all('kthena-router') },
  {
    kind: 'dashboards',
    file: 'kthena-overview.ts',
    factory: 'kthenaOverviewDashboard',
    offered: all('kthena-router', 'vllm', 'dcgm'),
    platform: [KUBE_STATE_METRICS],
  },
  {
    kind: 'dashboards',
    file: 'model-drilldown.ts',
    factory: 'modelDrilldownDashboard',
    offered: all('kthena-router', 'vllm', 'dcgm'),
    config: (chosen) => ({ accuracy: chosen.has('kthena-inference') }),
  },
  { kind: 'dashboards', file: 'arks-gateway.ts', factory: 'arksGatewayDashboard', offered: all('arks-gateway') },
  { kind: 'dashboards', file: 'moe-router.ts', factory: 'moeRouterDashboard', offered: all('moe-router') },
  {
    kind: 'dashboards',
    file: 'rag-overview.ts',
    factory: 'ragOverviewDashboard',
    offered: all('rag-backend', 'vllm', 'dcgm'),
    config: (chosen) => ({ k6: chosen.has('k6') }),
  },
  { kind: 'dashboards', file: 'slos.ts', factory: 'sloDashboard', offered: hasSlos },
];

export const CONTENT_FILES: readonly ContentFile[] = [...RULES_AND_SLOS, ...DASHBOARDS];

/** The content files the chosen sources support, in table order. */
export function offeredContent(chosen: Chosen): ContentFile[] {
  return CONTENT_FILES.filter((c) => c.offered(chosen));
}
