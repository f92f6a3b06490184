/** Where a definition came from, and what is wrong with it: the shape every load problem is reported in. */

/** Where a node came from, for every error, warning and note the router prints. */
export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** YAML path, e.g. `[0].route.from.steps[2].setHeader`. */
  path: string;
}

/**
 * `error`: the router does not start; `warning`: it starts, but something is likely wrong; `note`: a fact
 * about the check itself (what a partial validation left unchecked), nothing to fix.
 */
export type Severity = 'error' | 'warning' | 'note';

/** A load-time finding: everything a user needs to fix it without reading the router's source. */
export interface LoadDiagnostic {
  severity: Severity;
  /** What is wrong, in one sentence. */
  message: string;
  loc?: SourceLocation;
  /** What was expected at this place. */
  expected?: string;
  /** "did you mean ..." candidates. */
  suggestions?: string[];
  /** A hint, and/or the canonical snippet to write instead. */
  hint?: string;
  snippet?: string;
}
