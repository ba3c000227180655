import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { HttpAnswer } from './ags.types';
import type { ScoreContent } from './score-policy';
import { summarize } from './ags.client';

/**
 * LTI 1.1 Basic Outcomes (LTI 1.1.1 §6; src/grades/README.md): the POX `replaceResult` request for
 * one learner's result, and what the LMS's answer means. Pure: the dispatcher signs and sends it.
 */

const NS = 'http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0';

/** The normalised score (0.0–1.0) Basic Outcomes carries, from the AGS-shaped content; null when there is none to send. */
export function outcomeScore(score: ScoreContent): string | null {
  if (score.gradingProgress !== 'FullyGraded' || score.scoreGiven === undefined || !score.scoreMaximum) {
    return null;
  }
  const x = Math.min(1, Math.max(0, score.scoreGiven / score.scoreMaximum));
  return String(Math.round(x * 10000) / 10000);
}

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The `replaceResultRequest` envelope for a sourcedId and a score "0.0"–"1.0". */
export function replaceResultXml(sourcedId: string, score: string, messageId: string = randomUUID()): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<imsx_POXEnvelopeRequest xmlns="${NS}"><imsx_POXHeader><imsx_POXRequestHeaderInfo><imsx_version>V1.0</imsx_version>` +
    `<imsx_messageIdentifier>${xmlText(messageId)}</imsx_messageIdentifier></imsx_POXRequestHeaderInfo></imsx_POXHeader>` +
    `<imsx_POXBody><replaceResultRequest><resultRecord><sourcedGUID><sourcedId>${xmlText(sourcedId)}</sourcedId></sourcedGUID>` +
    `<result><resultScore><language>en</language><textString>${score}</textString></resultScore></result>` +
    `</resultRecord></replaceResultRequest></imsx_POXBody></imsx_POXEnvelopeRequest>`
  );
}

export type OutcomeVerdict = { kind: 'sent' } | { kind: 'retry'; message: string } | { kind: 'failed'; message: string };

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false });

/**
 * An LMS's answer to `replaceResult`: 2xx with `imsx_codeMajor` success is sent; `failure` or
 * `unsupported` (a bad sourcedId, a closed activity) failed with the LMS's description; 5xx, 408 and
 * 429 are retried; any other status, or a 2xx that is not a POX answer, failed.
 */
export function judgeOutcomeAnswer(answer: HttpAnswer): OutcomeVerdict {
  const { status, body } = answer;
  if (status >= 500 || status === 408 || status === 429) {
    return { kind: 'retry', message: `The LMS answered ${status}: ${summarize(body)}` };
  }
  if (status < 200 || status >= 300) {
    return { kind: 'failed', message: `The LMS answered ${status}: ${summarize(body)}` };
  }
  let info: { imsx_codeMajor?: unknown; imsx_description?: unknown } | undefined;
  try {
    const doc = parser.parse(body) as { imsx_POXEnvelopeResponse?: { imsx_POXHeader?: { imsx_POXResponseHeaderInfo?: { imsx_statusInfo?: typeof info } } } };
    info = doc.imsx_POXEnvelopeResponse?.imsx_POXHeader?.imsx_POXResponseHeaderInfo?.imsx_statusInfo;
  } catch {
    info = undefined;
  }
  const major = typeof info?.imsx_codeMajor === 'string' ? info.imsx_codeMajor.trim() : '';
  if (major === 'success') {
    return { kind: 'sent' };
  }
  if (!major) {
    return { kind: 'failed', message: `The LMS answered ${status} without a Basic Outcomes status: ${summarize(body)}` };
  }
  const description = typeof info?.imsx_description === 'string' && info.imsx_description.trim() ? `: ${summarize(info.imsx_description)}` : '';
  return { kind: 'failed', message: `The LMS answered replaceResult with ${major}${description}` };
}
