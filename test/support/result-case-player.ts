/**
 * Plays the result cases (result-cases.ts): the manifest of a case, the data model as the SCO holds
 * it after its SetValue calls, and one launch's commits as the player sends them.
 */
import type { ResultCase, ScoStep } from './result-cases';

type Json = Record<string, unknown>;

/** The case's imsmanifest.xml: every SCO launches index.html of the scorm12-single-sco fixture. */
export function caseManifest(c: ResultCase): string {
  const is12 = c.version === '1.2';
  const items = c.items.map((i) => `<item identifier="${i.id}" identifierref="RES-${i.id}"><title>${i.id}</title>${i.xml ?? ''}</item>`).join('\n      ');
  const type = is12 ? 'adlcp:scormtype' : 'adlcp:scormType';
  const resources = c.items
    .map((i) => `<resource identifier="RES-${i.id}" type="webcontent" ${type}="sco" href="index.html"><file href="index.html"/></resource>`)
    .join('\n    ');
  const head = is12
    ? `<manifest identifier="RESULT-CASE" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>`
    : `<manifest identifier="RESULT-CASE" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 ${c.edition ?? '4th'} Edition</schemaversion></metadata>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
${head}
  <organizations default="ORG"><organization identifier="ORG"><title>${c.name.replace(/[<>&"]/g, '')}</title>
      ${items}
  </organization></organizations>
  <resources>
    ${resources}
  </resources>
</manifest>`;
}

/**
 * The data model as the SCO holds it after Initialize (what scorm-again does with the launch data:
 * an unset 1.2 lesson_status reads "not attempted", unset 2004 statuses read "unknown"), with the
 * SCO's SetValue calls applied. This is what the player commits.
 */
export function scoData(version: '1.2' | '2004', launchCmi: Json, set: Record<string, string>): Json {
  const out = structuredClone(launchCmi);
  const defaults = version === '1.2' ? { 'cmi.core.lesson_status': 'not attempted' } : { 'cmi.completion_status': 'unknown', 'cmi.success_status': 'unknown' };
  for (const [name, value] of Object.entries(defaults)) {
    if (readValue(out, name) === '') {
      writeValue(out, name, value);
    }
  }
  for (const [name, value] of Object.entries(set)) {
    writeValue(out, name, value);
  }
  return out;
}

/** A data model value by its dotted name ('cmi.core.lesson_status'), '' when it is not there. */
export function readValue(cmi: Json, name: string): string {
  let node: unknown = cmi;
  for (const part of name.split('.').slice(1)) {
    node = node && typeof node === 'object' ? (node as Json)[part] : undefined;
  }
  return typeof node === 'string' ? node : typeof node === 'number' ? String(node) : '';
}

function writeValue(cmi: Json, name: string, value: string): void {
  const parts = name.split('.').slice(1);
  let node = cmi;
  for (const part of parts.slice(0, -1)) {
    node = (node[part] && typeof node[part] === 'object' ? node[part] : (node[part] = {})) as Json;
  }
  node[parts[parts.length - 1]] = value;
}

/** How a test reaches the runtime: the SCO's launch data, and a commit (the player's request body). */
export interface RuntimeAccess {
  launchSco(sco: string): Promise<Json> | Json;
  commit(sco: string, body: { session: number; seq: number; terminate: boolean; cmi: Json }): Promise<void> | void;
}

/**
 * Plays one launch of a case as the player does: each SCO session starts from the SCO's launch data,
 * counts as a new `session`, and every commit sends the whole data model with an increasing `seq`.
 */
export async function playLaunch(c: ResultCase, steps: ScoStep[], runtime: RuntimeAccess): Promise<void> {
  let session = 0;
  let seq = 0;
  let open: { sco: string; cmi: Json; set: Record<string, string> } | null = null;
  for (const step of steps) {
    if (!open || open.sco !== step.sco) {
      session += 1;
      open = { sco: step.sco, cmi: await runtime.launchSco(step.sco), set: {} };
    }
    Object.assign(open.set, step.set);
    await runtime.commit(step.sco, { session, seq: ++seq, terminate: !!step.finish, cmi: scoData(c.version, open.cmi, open.set) });
    if (step.finish) {
      open = null;
    }
  }
}
