import type { SourceHistorySpec } from '../model/catalog.ts';

/**
 * Kthena releases whose router metrics were read (`git show <tag>:pkg/kthena-router/metrics/metrics.go`),
 * the unreleased main branch at 3cc0572, and the changes to the catalog's families between them.
 */

const repo = 'volcano-sh/kthena';
const METRICS = 'pkg/kthena-router/metrics/metrics.go';
const MAIN = '3cc057284c34';

/** Main names the ModelRoute, backend and upstream model of every request: a schema change that starts new series. */
const BACKEND_LABELS = ['backend_type', 'backend_name', 'upstream_model'];

export const KTHENA_ROUTER_HISTORY = {
  upstream: repo,
  releases: ['v0.1.0', 'v0.2.0', 'v0.3.0', 'v0.4.0', 'v1.0.0', 'main@3cc0572'],
  current: 'v1.0.0',
  changes: [
    ...['kthena_router_requests_total', 'kthena_router_request_duration_seconds', 'kthena_router_tokens_total'].map((family) => ({
      change: 'relabelled' as const,
      version: 'main@3cc0572',
      family,
      added: ['model_route', ...BACKEND_LABELS],
      ref: { repo, path: METRICS, at: MAIN },
    })),
    {
      change: 'relabelled',
      version: 'main@3cc0572',
      family: 'kthena_router_active_upstream_requests',
      added: BACKEND_LABELS,
      ref: { repo, path: METRICS, at: MAIN },
    },
  ],
} satisfies SourceHistorySpec;
