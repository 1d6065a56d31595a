import { OUT, generatedHeader } from '../../src/conventions.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { Located, Model } from '../../src/model/model.ts';
import type { Routing } from '../../src/model/routing.ts';
import { renderTemplate } from '../../src/templates.ts';

/**
 * Alertmanager notification templates: one Go template file defining the title and body of every
 * receiver kind from the alerts' annotations. alertmanager.yml loads it with `templates:`; under
 * kube-prometheus-stack the chart mounts it from `alertmanager.templateFiles` where its default config
 * loads `*.tmpl`, so the AlertmanagerConfig CR can call the same definitions by name.
 */

export const NOTIFICATION_TEMPLATE_FILE = 'infermon.tmpl';
export const NOTIFICATION_TEMPLATES = `${OUT.alertmanager}/templates/${NOTIFICATION_TEMPLATE_FILE}`;
/** As alertmanager.yml lists it: Alertmanager reads relative template paths from the config file's directory. */
export const NOTIFICATION_TEMPLATES_GLOB = 'templates/*.tmpl';

/** A field value that renders one definition of the template file. */
export function templateCall(name: string): string {
  return `{{ template "${name}" . }}`;
}

export const SLACK_MESSAGE = { title: templateCall('infermon.slack.title'), text: templateCall('infermon.slack.text') };
export const EMAIL_MESSAGE = { subject: templateCall('infermon.email.subject'), html: templateCall('infermon.email.html') };
export const MSTEAMS_MESSAGE = { title: templateCall('infermon.msteams.title'), text: templateCall('infermon.msteams.text') };
export const OPSGENIE_MESSAGE = { message: templateCall('infermon.opsgenie.message'), description: templateCall('infermon.opsgenie.description') };
/** PagerDuty's custom details; Alertmanager's own defaults use the same four keys. */
export const PAGERDUTY_MESSAGE = {
  description: templateCall('infermon.pagerduty.description'),
  details: {
    firing: templateCall('infermon.pagerduty.firing'),
    num_firing: '{{ .Alerts.Firing | len }}',
    num_resolved: '{{ .Alerts.Resolved | len }}',
    resolved: templateCall('infermon.pagerduty.resolved'),
  },
};

export function notificationTemplateText(model: Model, routing: Located<Routing>): string {
  const header = generatedHeader(model.stack.value, [routing.file], '{{/*').replace(/\n$/, ' */}}');
  return renderTemplate('alertmanager/notifications.tmpl.hbs', { header });
}

export function notificationTemplates(model: Model, routing: Located<Routing>): Artifact {
  return { path: NOTIFICATION_TEMPLATES, format: 'text', text: notificationTemplateText(model, routing) };
}
