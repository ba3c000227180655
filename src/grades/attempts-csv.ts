import { csvPercent, toCsv } from '../common/csv';
import type { AttemptDto } from './grades-admin.service';

const HEAD = [
  'learner_sub',
  'learner_name',
  'learner_email',
  'attempt',
  'link',
  'completion',
  'success',
  'score_percent',
  'time_spent_seconds',
  'started_at',
  'ended_at',
  'last_activity_at',
  'passback_state',
  'passback_message',
  'preview',
];

/** `GET /api/attempts?format=csv`: one row per attempt, in the order of the JSON answer. */
export function attemptsCsv(attempts: AttemptDto[]): string {
  return toCsv(
    HEAD,
    attempts.map((a) => [
      a.learner.sub,
      a.learner.name,
      a.learner.email,
      a.number,
      a.resourceLinkTitle,
      a.completion,
      a.success,
      csvPercent(a.score),
      Math.round(a.totalTimeSeconds),
      a.startedAt,
      a.endedAt,
      a.lastActivityAt,
      a.gradeDelivery?.state,
      a.gradeDelivery?.lastError,
      a.preview ? 'yes' : 'no',
    ]),
  );
}
