/** The bundled dashboards, as `infermon/content/dashboards`. */
export * from './dashboards/index.ts';
