import type { SpecLocation } from '../../src/model/diagnostics.ts';
import type { Model } from '../../src/model/model.ts';
import type { RowDraft } from './resolve.ts';

export function sloRows(_model: Model, _at: SpecLocation): RowDraft[] {
  return [];
}
