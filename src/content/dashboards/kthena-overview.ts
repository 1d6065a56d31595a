import { gauge, q, quantile, ratio, sumRate } from '../../grafana/queries.ts';
import { dcgmFbUsed, dcgmGpuUtil } from '../../catalog/dcgm.ts';
import { ROUTER_SUCCESS_ERROR_TYPE, routerRequestDuration, routerRequestsTotal } from '../../catalog/kthena-router.ts';
import { kubeDeploymentSpecReplicas, kubeDeploymentStatusReplicas } from '../../catalog/kubernetes.ts';
import { vllmNumRequestsRunning } from '../../catalog/vllm.ts';
import { bundledDashboard } from './bundled.ts';
import { modelServerDashboardConfigSchema, modelServerNamespace, type ModelServerDashboardConfig } from './model-servers.ts';
import { contentFactory } from '../options.ts';

const MAPPED = 'The Kthena integration guide queries kthena_inference_* and nvidia_gpu_* series, which real deployments do not expose;';
/** GPUs assigned to a pod; idle GPUs carry an empty pod label. */
const assigned = { pod: { ne: '' } };

/**
 * The eight panels of the Kthena overview dashboard, fixed to the series a Kthena deployment really has:
 * the router's kthena_router_*, vLLM's vllm:* and DCGM's DCGM_FI_* metrics, and kube-state-metrics.
 */
export const kthenaOverviewDashboard = contentFactory('kthenaOverviewDashboard', modelServerDashboardConfigSchema, (config: ModelServerDashboardConfig) => {
  const inference = { namespace: { eq: modelServerNamespace(config) } };
  return bundledDashboard(
    {
      id: 'kthena-overview',
      title: 'Kthena overview',
      description: 'Request rate, P95 latency, error rate, active models, per-model traffic, GPU memory and utilisation, and autoscaling of a Kthena deployment.',
      tags: ['kthena'],
      refresh: '30s',
      from: 'now-1h',
      rows: [
        {
          title: 'Overview',
          panels: [
            {
              title: 'Inference requests/sec',
              description: `${MAPPED} this panel counts requests at the Kthena router (${routerRequestsTotal.name}).`,
              type: 'stat',
              unit: 'reqps',
              width: 6,
              height: 5,
              thresholds: [
                { value: 100, color: 'yellow' },
                { value: 1000, color: 'red' },
              ],
              queries: [q(sumRate(routerRequestsTotal), 'requests/sec')],
            },
            {
              title: 'Inference latency (P95)',
              description: `${MAPPED} this panel takes the P95 of the router's end-to-end latency histogram (${routerRequestDuration.name}).`,
              type: 'stat',
              unit: 's',
              width: 6,
              height: 5,
              thresholds: [
                { value: 1, color: 'yellow' },
                { value: 5, color: 'red' },
              ],
              queries: [q(quantile(0.95, routerRequestDuration), 'P95')],
            },
            {
              title: 'Error rate',
              description: `${MAPPED} errors are router requests whose finish reason is not ${ROUTER_SUCCESS_ERROR_TYPE}.`,
              type: 'stat',
              unit: 'percentunit',
              width: 6,
              height: 5,
              thresholds: [
                { value: 0.01, color: 'yellow' },
                { value: 0.05, color: 'red' },
              ],
              queries: [
                q(
                  ratio(sumRate(routerRequestsTotal, { error_type: { ne: ROUTER_SUCCESS_ERROR_TYPE } }), sumRate(routerRequestsTotal)),
                  'error rate',
                ),
              ],
            },
            {
              title: 'Active models',
              description: `${MAPPED} there is no model status series, so this panel counts the served model names vLLM reports (${vllmNumRequestsRunning.name}).`,
              type: 'stat',
              unit: 'short',
              width: 6,
              height: 5,
              queries: [q(`count(${gauge(vllmNumRequestsRunning, {}, ['model_name'])})`, 'models')],
            },
            {
              title: 'Request rate by model',
              description: `${MAPPED} this panel splits router requests by the requested model.`,
              unit: 'reqps',
              width: 12,
              queries: [q(sumRate(routerRequestsTotal, {}, { by: ['model'] }), '{{model}}')],
            },
            {
              title: 'GPU memory by model-server pod',
              description: `${MAPPED} no series ties memory to a model name, so this panel shows the GPU framebuffer used (${dcgmFbUsed.name}) by each model-server pod.`,
              unit: 'mbytes',
              width: 12,
              queries: [q(gauge(dcgmFbUsed, { ...inference, ...assigned }, ['pod']), '{{pod}}')],
            },
            {
              title: 'GPU utilization',
              description: `${MAPPED} this panel shows ${dcgmGpuUtil.name} per GPU and the pod it is assigned to.`,
              unit: 'percent',
              width: 12,
              min: 0,
              max: 100,
              queries: [q(gauge(dcgmGpuUtil, {}, ['gpu', 'pod'], 'max'), 'GPU {{gpu}} - {{pod}}')],
            },
            {
              title: 'Autoscaling activity',
              description: `${MAPPED} this panel shows current and desired replicas of the Deployments in the model-server namespace (kube-state-metrics).`,
              unit: 'short',
              width: 12,
              queries: [
                q(gauge(kubeDeploymentStatusReplicas, inference, ['deployment']), '{{deployment}} replicas'),
                q(gauge(kubeDeploymentSpecReplicas, inference, ['deployment']), '{{deployment}} desired'),
              ],
            },
          ],
        },
      ],
    },
    ['kthena-router', 'model-drilldown', 'gpu', 'slos'],
    config,
  );
});
