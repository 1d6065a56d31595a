/**
 * Labels the Kthena ModelServing controller puts on the pods it creates, shared by every runtime it runs.
 * volcano-sh/kthena v1.0.0 pkg/apis/workload/v1alpha1/labels.go: modelserving.volcano.sh/name (the
 * ModelServing) and modelserving.volcano.sh/entry on the entry pod of each group, valued "true"
 * (pkg/model-serving-controller/utils/utils.go).
 */
export function modelServingPodLabels(modelServing: string): Record<string, string> {
  return { 'modelserving.volcano.sh/name': modelServing, 'modelserving.volcano.sh/entry': 'true' };
}
