import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/errors';
import { MAX_SEQUENCING_STATE_CHARS } from '../player/bootstrap.types';

/**
 * The engine state the player saves (src/player/bootstrap.types.ts `PlayerSequencing`): what the
 * server accepts. scorm-again's `serializeSequencingState()` writes a JSON object with a `version`
 * string; anything else is refused with a named error rather than stored to break the next launch.
 * Answers the parsed object (the caller may read the learner-wide parts of it).
 */
export function checkSequencingState(value: unknown, scormVersion: string): SerializedSequencingState {
  if (scormVersion !== '2004') {
    throw new AppError('sequencing_not_used', 'This is a SCORM 1.2 course: it has no sequencing state to save.');
  }
  if (typeof value !== 'string') {
    throw new AppError('sequencing_state_invalid', '"sequencingState" must be the text of the engine\'s serialized sequencing state.');
  }
  if (value.length > MAX_SEQUENCING_STATE_CHARS) {
    throw new AppError(
      'sequencing_state_too_large',
      `The sequencing state has ${value.length} characters; this server stores at most ${MAX_SEQUENCING_STATE_CHARS}.`,
      HttpStatus.PAYLOAD_TOO_LARGE,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new AppError('sequencing_state_invalid', 'The sequencing state is not valid JSON.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || typeof (parsed as Record<string, unknown>).version !== 'string') {
    throw new AppError('sequencing_state_invalid', 'The sequencing state is not the engine\'s serialized state (a JSON object with a "version").');
  }
  return parsed as SerializedSequencingState;
}

/** The parts of scorm-again 3.4.3's serialized state the server reads (its `serializeSequencingState`). */
export interface SerializedSequencingState {
  version: string;
  sequencing?: unknown;
  currentActivityId?: string | null;
  suspensionState?: unknown;
  globalObjectiveMap?: Record<string, unknown>;
  sharedData?: Record<string, string>;
  [key: string]: unknown;
}
