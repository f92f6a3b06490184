import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { RouterConfig } from '../config.js';
import { DEFAULT_RBAC_FILE } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { ReloadResult } from './reload.js';

export interface ReloadWatchOptions {
  config: RouterConfig;
  logger: Logger;
  /** Called once the files have been quiet for `debounceMs`. */
  reload: () => Promise<ReloadResult>;
  debounceMs?: number;
}

/**
 * Watches what a reload re-reads (route folders or files, the schema folder, resource folders, the RBAC
 * file) and reloads once changes have settled, so an editor's save-as-rename or a `git pull` touching
 * many files makes one reload. A change during a reload makes one more after it. Returns the function
 * that stops watching.
 */
export function watchForReload(options: ReloadWatchOptions): () => void {
  const { config, logger } = options;
  const debounceMs = options.debounceMs ?? 300;
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let again = false;

  const fire = (): void => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = options
      .reload()
      .catch((error: unknown) => logger.error('reload failed', { error: String(error) }))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          fire();
        }
      });
  };
  const changed = (what: string) => (): void => {
    logger.debug('file change seen', { path: what });
    clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };

  const rbacFile = config.rbacFile ?? (existsSync(DEFAULT_RBAC_FILE) ? DEFAULT_RBAC_FILE : undefined);
  const targets = [...config.routes, config.schemasDir, ...config.resources, ...(rbacFile ? [rbacFile] : [])];
  for (const target of new Set(targets.map((t) => path.resolve(t)))) {
    try {
      if (!existsSync(target)) continue;
      if (statSync(target).isDirectory()) {
        watchers.push(watch(target, { recursive: true }, changed(target)));
      } else {
        // Editors replace a file by renaming another over it: watch its folder, filtered by name.
        const name = path.basename(target);
        watchers.push(
          watch(path.dirname(target), (_event, file) => {
            if (file === null || file.toString() === name) changed(target)();
          }),
        );
      }
    } catch (error) {
      logger.warn('cannot watch for changes', { path: target, error: String(error) });
    }
  }
  logger.info('watching for changes; a change reloads the routes', { paths: targets });
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
