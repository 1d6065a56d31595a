import * as content from 'infermon/content';

/** The RAG backend's alerts, per endpoint. */
export const ragAlerts = content.ragAlerts();
