/**
 * Versions of the tools the scaffolded CI installs to check the generated output. Each is a published
 * release: github.com/prometheus/prometheus/releases (v3.5.0, the 3.5 long-term-support line),
 * github.com/prometheus/alertmanager/releases (v0.28.1), dl.k8s.io (kubectl v1.33.0), and the official
 * `node` image's 22 tag.
 */
export const CI_TOOLS = {
  prometheus: '3.5.0',
  alertmanager: '0.28.1',
  kubectl: '1.33.0',
  node: '22',
} as const;
