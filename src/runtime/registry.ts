import type { ComponentSpec } from './component.js';
import type { StepSpec } from './step.js';
import type { LanguageSpec } from './language.js';
import type { JsonSchema } from './json-schema.js';
import type { RouterModule } from './router-module.js';

/** What the router knows: components by scheme (aliases included), EIPs by keyword, languages by name. */
export class Registry {
  readonly components = new Map<string, ComponentSpec>();
  readonly steps = new Map<string, StepSpec>();
  readonly languages = new Map<string, LanguageSpec>();
  /**
   * Schemas of top-level route-file documents owned by other parts of the router (the async engine's
   * `flow`); one registered here replaces the loader's built-in schema for that keyword.
   */
  readonly documents = new Map<string, JsonSchema>();
  /** Parts of the router with a lifecycle of their own (the async engine, metrics, admin API), in order. */
  readonly modules: RouterModule[] = [];

  addComponent(spec: ComponentSpec<never>): this {
    const component = spec as unknown as ComponentSpec;
    this.components.set(component.scheme, component);
    return this;
  }
  addStep(spec: StepSpec): this {
    this.steps.set(spec.keyword, spec);
    return this;
  }
  addLanguage(spec: LanguageSpec): this {
    this.languages.set(spec.name, spec);
    return this;
  }
  addModule(module: RouterModule): this {
    this.modules.push(module);
    return this;
  }
  addDocument(keyword: string, schema: JsonSchema): this {
    this.documents.set(keyword, schema);
    return this;
  }

  /** Finds a component by scheme or alias; `alias` is set when an alias matched. */
  component(scheme: string): { spec: ComponentSpec; alias?: NonNullable<ComponentSpec['aliases']>[number] } | undefined {
    const direct = this.components.get(scheme);
    if (direct) return { spec: direct };
    for (const spec of this.components.values()) {
      const alias = spec.aliases?.find((a) => a.scheme === scheme);
      if (alias) return { spec, alias };
    }
    return undefined;
  }

  schemes(): string[] {
    const names: string[] = [];
    for (const spec of this.components.values()) names.push(spec.scheme, ...(spec.aliases ?? []).map((a) => a.scheme));
    return names.sort();
  }
}
