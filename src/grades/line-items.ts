import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { ResourceLink } from '../attempts/resource-link.entity';
import { SCOPES } from '../lti/protocol/claims';
import { AgsClient, summarize } from './ags.client';
import { AgsCredentials, AgsLineItem, HttpAnswer } from './ags.types';
import { GradesRepository } from './grades.repository';

/**
 * The grade worker's line items: finds or creates our own line item when the claim has only
 * `lineitems` (AGS §4.3, src/grades/README.md: the certification launch carries only the container): GET by resource link first (Moodle
 * does not de-duplicate), else POST `{resourceLinkId, label, scoreMaximum: 100}`. One flight per
 * link in this process, and across instances a claim on the link's row: the instance that holds it
 * looks and creates, any other waits a second and reads the URL it kept (`LineItemBusy`). A claim
 * whose instance died lapses with the send's lease; the next holder's GET then finds the item.
 */
@Injectable()
export class LineItems {
  private readonly logger = new Logger(LineItems.name);
  private readonly flights = new Map<string, Promise<string>>();

  constructor(
    private readonly repo: GradesRepository,
    private readonly ags: AgsClient,
    private readonly clock: Clock,
  ) {}

  ensure(link: ResourceLink, creds: AgsCredentials, opts: { timeoutMs: number; signal: AbortSignal }, leaseMs: number): Promise<string> {
    let flight = this.flights.get(link.id);
    if (!flight) {
      flight = this.findOrCreate(link, creds, opts, leaseMs).finally(() => this.flights.delete(link.id));
      this.flights.set(link.id, flight);
    }
    return flight;
  }

  private async findOrCreate(link: ResourceLink, creds: AgsCredentials, opts: { timeoutMs: number; signal: AbortSignal }, leaseMs: number): Promise<string> {
    const fresh = await this.repo.findResourceLink(link.id);
    if (fresh?.lineItemUrl) {
      return fresh.lineItemUrl;
    }
    if (!link.agsLineItemsUrl) {
      throw new LineItemError('The launch sent no line item and no line items container: there is nowhere to post the score.', null, false);
    }
    const claim = randomUUID();
    const now = this.clock.now();
    if (!(await this.repo.claimLineItemCreation(link.id, claim, now, now + leaseMs))) {
      throw new LineItemBusy();
    }
    try {
      const url = await this.lookUpOrCreate(link, link.agsLineItemsUrl, creds, opts);
      await this.repo.setLineItemUrl(link.id, url);
      return url;
    } finally {
      await this.repo.releaseLineItemClaim(link.id, claim);
    }
  }

  private async lookUpOrCreate(link: ResourceLink, container: string, creds: AgsCredentials, opts: { timeoutMs: number; signal: AbortSignal }): Promise<string> {
    const token = await this.ags.accessToken(creds, [SCOPES.lineItem, SCOPES.score], opts);
    const found = await this.ags.findLineItems(container, token, link.resourceLinkId, opts);
    if (!Array.isArray(found)) {
      throw LineItemError.from('list the line items', found);
    }
    let url = found.find((i) => i.resourceLinkId === link.resourceLinkId)?.id;
    if (!url) {
      const item: Omit<AgsLineItem, 'id'> = { label: link.title?.trim() || 'SCORM course', scoreMaximum: 100, resourceLinkId: link.resourceLinkId, resourceId: link.courseId };
      const answer = await this.ags.createLineItem(container, token, item, opts);
      if (answer.status < 200 || answer.status >= 300) {
        throw LineItemError.from('create a line item', answer);
      }
      url = (JSON.parse(answer.body) as AgsLineItem).id;
      if (!url) {
        throw new LineItemError('The platform created a line item but did not say its id (URL).', answer.status, false);
      }
      this.logger.log(`Created line item ${url} for resource link ${link.id}`);
    }
    return url;
  }
}


/** Another instance is finding or creating this link's line item: the send waits for the URL it keeps. */
export class LineItemBusy extends Error {}

export class LineItemError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retry: boolean,
  ) {
    super(message);
  }

  static from(what: string, answer: HttpAnswer): LineItemError {
    const retry = answer.status >= 500 || answer.status === 429 || answer.status === 401;
    return new LineItemError(`Could not ${what}: the platform answered ${answer.status}: ${summarize(answer.body)}`, answer.status, retry);
  }
}
