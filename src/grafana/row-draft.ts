import type { PanelSpec } from '../model/dashboard.ts';
import type { SpecLocation } from '../model/diagnostics.ts';

/** A row before numbering: its panels with where each came from. */
export interface RowDraft {
  title: string;
  panels: Array<{ panel: PanelSpec; at: SpecLocation }>;
}
