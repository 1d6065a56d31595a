import type { PanelSpec, Variable } from '../model/dashboard.ts';
import type { SpecLocation } from '../model/diagnostics.ts';

/** A row before numbering: its panels with where each came from. */
export interface RowDraft {
  title: string;
  repeat?: string;
  panels: Array<{ panel: PanelSpec; at: SpecLocation }>;
}

/** What a generated section adds to a dashboard. */
export interface SectionDraft {
  variables: Variable[];
  rows: RowDraft[];
}
