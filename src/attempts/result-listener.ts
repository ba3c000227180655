import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Told, inside the transaction of every applied runtime commit, that an attempt's result may have
 * changed (DESIGN §1.5, §6: the grade outbox row is written in the same transaction). The grades
 * module binds its outbox service to this token; the default does nothing.
 */
export abstract class ResultListener {
  abstract onResultMaybeChanged(manager: EntityManager, attemptId: string): Promise<void>;
}

/** Used until (or unless) a grades module provides a real listener. */
@Injectable()
export class NoopResultListener extends ResultListener {
  async onResultMaybeChanged(): Promise<void> {
    /* no grade passback configured */
  }
}
