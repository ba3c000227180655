import type { EntityManager } from 'typeorm';

/**
 * Told, inside the transaction of every applied runtime commit, that an attempt's result may have
 * changed (src/grades/README.md: the grade outbox row is written in the same transaction). The grades
 * module binds its outbox service to this token.
 */
export abstract class ResultListener {
  abstract onResultMaybeChanged(manager: EntityManager, attemptId: string): Promise<void>;
}
