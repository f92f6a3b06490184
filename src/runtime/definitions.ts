/**
 * The internal model that both Camel YAML notations (compact and canonical) normalise into.
 * Everything here is plain data with source locations; nothing is compiled or started.
 */
import type { LoadDiagnostic, Severity, SourceLocation } from '../errors/diagnostic.js';

export type { LoadDiagnostic, Severity, SourceLocation };

/**
 * An expression in canonical form, whatever spelling the file used:
 * `simple: "x"`, `simple: {expression: x}`, `expression: {simple: x}`,
 * `expression: {simple: {expression: x}}` and `language: {language: jsonata, expression: x}` all become
 * `{language: 'simple' | 'jsonata' | ..., expression: 'x', options: {...}}`.
 */
export interface ExpressionDefinition {
  language: string;
  /** The expression text (for `tokenize`: the token or regex). Scalars are coerced to strings as Camel does. */
  expression: string;
  /** Language options: resultType, trim, suppressExceptions, writeAsString, token, regex, group, ... */
  options: Record<string, unknown>;
  loc: SourceLocation;
}

/**
 * One EIP step. `options` holds the step's own keys after normalisation:
 * - the string shorthand is expanded (`to: "direct:x"` → `{uri: "direct:x"}`, `log: "hi"` → `{message: "hi"}`);
 * - the step's own expression (expression-aware EIPs) is at `options.expression` as an ExpressionDefinition;
 * - sub-element expressions (`handled`, `onWhen`, `retryWhile`, ...) are ExpressionDefinitions at their own key;
 * - every nested `steps` list is a StepDefinition[] (also inside `when[]`, `otherwise`, `doCatch[]`, `onFallback`...);
 * - everything else is plain data as written (kebab-case keys already mapped to camelCase).
 * `id`, `description`, `note` and `disabled` are lifted out of `options`.
 */
export interface StepDefinition {
  keyword: string;
  id?: string;
  description?: string;
  /** Camel's `note` (documentation shown by tooling). */
  note?: string;
  disabled?: boolean;
  options: Record<string, unknown>;
  loc: SourceLocation;
}

export interface EndpointDefinition {
  /** As written: `platform-http:/payments`, `direct:x`, `spring-rabbitmq:orders?routingKey=a`, or just `direct`. */
  uri: string;
  /** The `parameters:` map, merged with the query part of `uri` by the component registry. */
  parameters: Record<string, unknown>;
  id?: string;
  loc: SourceLocation;
}

export interface RouteDefinition {
  id: string;
  /** True when the file gave no id and the loader made one up (`route-<file>-<n>`). */
  generatedId: boolean;
  description?: string;
  group?: string;
  autoStartup: boolean;
  from: EndpointDefinition;
  steps: StepDefinition[];
  /** Route-level `errorHandler` (Camel 4.4+), as plain normalised data. */
  errorHandler?: Record<string, unknown>;
  /** Route options not interpreted by the router yet, kept for tracing. */
  extra: Record<string, unknown>;
  /** Which notation the route was written in; compact routes get a one-time warning per file. */
  notation: 'compact' | 'canonical';
  loc: SourceLocation;
}

/** A top-level `onException` clause; `options` is normalised like a step's. */
export interface OnExceptionDefinition {
  options: Record<string, unknown>;
  loc: SourceLocation;
}

/** A `beans` entry (only types the router knows are accepted). */
export interface BeanDefinition {
  name: string;
  type: string;
  properties: Record<string, unknown>;
  loc: SourceLocation;
}

/** An async-engine flow document (`- flow:`); normalised by the async engine, kept raw here. */
export interface FlowDocument {
  definition: Record<string, unknown>;
  loc: SourceLocation;
  /**
   * Where each node of `definition` was written, keyed by JSON Pointer relative to the flow
   * (`/steps/0/uri`), so the engine's own load checks can point at the exact line.
   */
  locs?: Record<string, SourceLocation>;
}



/** Everything loaded from a set of route files. */
export interface RouteSet {
  routes: RouteDefinition[];
  onExceptions: OnExceptionDefinition[];
  /** Top-level (context-wide) error handler. */
  errorHandler?: Record<string, unknown>;
  beans: BeanDefinition[];
  flows: FlowDocument[];
  files: string[];
  diagnostics: LoadDiagnostic[];
}

/** Bean types the `policy` step understands (Camel's Keycloak security policy, enforced through the RBAC file). */
export const KEYCLOAK_POLICY_TYPE = 'org.apache.camel.component.keycloak.security.KeycloakSecurityPolicy';
export const POLICY_BEAN_TYPES: readonly string[] = [KEYCLOAK_POLICY_TYPE];
