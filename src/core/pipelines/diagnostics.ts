import type { Range } from '../common/positions';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A problem in a pipeline file, independent of LSP so the core stays editor-free. */
export interface PipelineDiagnostic {
  range: Range;
  severity: Severity;
  message: string;
  /** Stable id, e.g. `yaml-syntax`, so tests and quick fixes can key on it. */
  code: string;
  /** Other places the problem involves (the rest of a cycle), each with a short note. */
  related?: { range: Range; message: string }[];
}
