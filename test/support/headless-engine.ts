import { scorm2004Api, type Scorm2004Api } from '../../src/sequencing/engine';

/** The patched engine (src/sequencing/engine.ts) on compiled sequencing (spread into its settings as the player does), started, for the sequencing specs. */
export function startEngine(sequencing: { activityTree: unknown; objectivesGlobalToSystem?: boolean }): { api: Scorm2004Api; settings: Record<string, unknown>; delivered: string[] } {
  const delivered: string[] = [];
  const settings = {
    autocommit: false,
    lmsCommitUrl: false,
    logLevel: 5,
    sequencing: { ...sequencing, logLevel: 'error', eventListeners: { onActivityDelivery: (a: { id: string }) => delivered.push(a.id) } },
  };
  const api = new (scorm2004Api())(settings);
  api.processNavigationRequest('start');
  return { api, settings, delivered };
}
