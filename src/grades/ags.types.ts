/** What the AGS client needs to act for one (platform, deployment) (src/grades/README.md). */
export interface AgsCredentials {
  platformId: string;
  clientId: string;
  tokenEndpoint: string;
  /** `aud` of the client assertion when the platform names one out of band; else the token endpoint. */
  tokenAudience?: string | null;
  deploymentId: string;
}

/** Signs the client assertion with the tool's current RS256 key (kid in the header). */
export abstract class ClientAssertionSigner {
  abstract sign(payload: Record<string, unknown>, expiresInSeconds: number): Promise<string>;
}

/** An answer from a platform service, judged by status code; AGS defines no error body (src/grades/README.md). */
export interface HttpAnswer {
  status: number;
  body: string;
  headers: Headers;
}

/** The platform could not be reached or did not answer in time. */
export class AgsNetworkError extends Error {
  constructor(
    message: string,
    readonly aborted = false,
  ) {
    super(message);
    this.name = 'AgsNetworkError';
  }
}

/** The token endpoint refused or failed; `status` is undefined for a network error. */
export class AgsTokenError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AgsTokenError';
  }
}

/** The AGS score body (AGS §3.4). */
export interface AgsScore {
  userId: string;
  timestamp: string;
  activityProgress: string;
  gradingProgress: string;
  scoreGiven?: number;
  scoreMaximum?: number;
}

/** A line item as the container returns it (AGS §3.2). */
export interface AgsLineItem {
  id: string;
  label: string;
  scoreMaximum: number;
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
}
