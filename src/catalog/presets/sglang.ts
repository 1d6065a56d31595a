import { deploySource } from '../../model/spec.ts';
import { sglang } from '../sglang.ts';
import { named } from './confirmed.ts';
import { modelServingPodLabels } from './model-serving.ts';
import type { PodTemplateOptions } from './vllm.ts';

/**
 * SGLang servers as they are deployed. SGLang has no Helm chart of its own; both shapes below come from
 * upstream manifests. Metrics exist only with `--enable-metrics`, on the server port.
 */

// sgl-project/sglang docker/k8s-sglang-service.yaml at commit 0b082f5 (the stored copy read; no release
// tag was confirmed): pods labelled app: <name> (plus model and engine: sglang), containerPort 30000
// without a name, and no --enable-metrics in the example's arguments.
const PLAIN_DEPLOYMENT = { containerPort: 30000 };

// volcano-sh/kthena v1.0.0 examples/model-serving/gpu-kvcache-aware-sglang.yaml runs sglang.launch_server
// with --port 30000 and --enable-metrics, declaring no container port.
const KTHENA_MODEL_SERVING = { containerPort: 30000 };

export const sglangPresets = {
  /** A Deployment written after SGLang's Kubernetes example, its pods labelled `app: <app>`. */
  deployment(options: PodTemplateOptions & { app: string }) {
    const { app, namespace = 'default', portName = 'http', name } = options;
    return deploySource(sglang, { ...named(name), namespace, podLabels: { app }, port: { name: portName, number: PLAIN_DEPLOYMENT.containerPort } });
  },

  /** The entry pods of a Kthena ModelServing whose containers run SGLang. */
  kthenaModelServing(options: PodTemplateOptions & { modelServing: string }) {
    const { modelServing, namespace = 'default', portName = 'http', name } = options;
    return deploySource(sglang, {
      ...named(name),
      namespace,
      podLabels: modelServingPodLabels(modelServing),
      port: { name: portName, number: KTHENA_MODEL_SERVING.containerPort },
    });
  },
};
