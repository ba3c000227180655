import * as fs from 'node:fs';
import * as path from 'node:path';
import patches from './engine-patches.json';

/**
 * scorm-again 3.4.3's SCORM 2004 runtime with its sequencing engine, loaded in Node (docs/sequencing.md).
 *
 * Why loaded from source text: the package is `"type": "module"` and its CommonJS entry points are
 * browser IIFE bundles, so neither `require` (nor Jest's module system) gives the class. The ESM
 * bundle `dist/esm/scorm2004.js` has no imports and one export; its text is patched with
 * `engine-patches.json` (each patch must match exactly `count` times, so an upgrade cannot drop one
 * silently, as with the suspend_data patch in player/build.mjs) and evaluated once per process.
 */

export interface EnginePatch {
  name: string;
  why: string;
  find: string;
  replace: string;
  count: number;
}

/** The engine's API class, typed loosely: the engine is driven through the few calls used here. */
export type Scorm2004ApiClass = new (settings?: Record<string, unknown>) => Scorm2004Api;

export interface Scorm2004Api {
  Initialize(parameter?: string): string;
  Terminate(parameter?: string): string;
  GetValue(element: string): string;
  SetValue(element: string, value: string): string;
  Commit(parameter?: string): string;
  GetLastError(): string;
  GetErrorString(code: string): string;
  GetDiagnostic(code: string): string;
  reset(settings?: Record<string, unknown>, options?: { preserveListeners?: boolean; resetTotalTime?: boolean }): void;
  loadFromJSON(json: Record<string, unknown>, element?: string): void;
  processNavigationRequest(request: string, targetActivityId?: string): boolean;
  serializeSequencingState(): string;
  deserializeSequencingState(state: string): boolean;
  getSequencingState(): unknown;
  getSequencingService(): unknown;
  renderCommitCMI(terminateCommit: boolean, includeTotalTime?: boolean): Record<string, unknown>;
  captureSharedDataSnapshot(): Record<string, string>;
  restoreSharedDataSnapshot(snapshot: Record<string, string>): void;
  restoreGlobalObjectiveSnapshot(snapshot: Record<string, unknown>): void;
}

export const ENGINE_PATCHES: readonly EnginePatch[] = patches;

/** Applies every patch to the engine's source text; throws naming a patch that no longer matches. */
export function patchEngineSource(source: string, file: string): string {
  let out = source;
  for (const p of ENGINE_PATCHES) {
    const re = new RegExp(p.find, 'g');
    const found = out.match(re)?.length ?? 0;
    if (found !== p.count) {
      throw new Error(`scorm-again engine patch "${p.name}": expected ${p.count} match(es) in ${file}, found ${found}; check src/sequencing/engine-patches.json`);
    }
    out = out.replace(re, p.replace);
  }
  return out;
}

let loaded: Scorm2004ApiClass | undefined;

/** The patched Scorm2004API class (evaluated on first use, then shared). */
export function scorm2004Api(): Scorm2004ApiClass {
  if (!loaded) {
    const file = path.join(path.dirname(require.resolve('scorm-again')), 'esm', 'scorm2004.js');
    const source = patchEngineSource(fs.readFileSync(file, 'utf8'), file);
    const exportLine = /\nexport \{ Scorm2004API \};\s*(\/\/# sourceMappingURL=.*)?\s*$/;
    if (!exportLine.test(source)) {
      throw new Error(`${file} no longer ends with "export { Scorm2004API };"; see src/sequencing/engine.ts`);
    }
    // The bundle is self-contained (no imports); evaluated as a function body that returns the class.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function(`${source.replace(exportLine, '\n')}\nreturn Scorm2004API;\n//# sourceURL=${file}`) as () => Scorm2004ApiClass;
    loaded = factory();
  }
  return loaded;
}
