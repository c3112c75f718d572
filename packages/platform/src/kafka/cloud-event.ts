/**
 * The envelope of every event on `chat.events`: CloudEvents 1.0 in structured JSON mode. `id` is
 * the outbox row's id (unique, stable across redeliveries: consumers deduplicate on it), `subject`
 * the aggregate id (also the Kafka key, so one session's or assistant's events stay in order),
 * `type` the outbox type prefixed with `lab.`. Two extension attributes: `aggregatetype` and
 * `sequence` (the outbox `seq`, increasing per producing service).
 */
export interface CloudEvent<T = Record<string, unknown>> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  aggregatetype: string;
  sequence: string;
  data: T;
}

export const EVENT_TYPE_PREFIX = 'lab.';
export const CLOUD_EVENT_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/** `session.started` → `lab.session.started`. */
export const eventType = (outboxType: string): string => `${EVENT_TYPE_PREFIX}${outboxType}`;

/** The envelope from a message value, or null when it is not one (logged and skipped by consumers). */
export function parseCloudEvent(value: Buffer | string | null | undefined): CloudEvent | null {
  if (value === null || value === undefined) return null;
  try {
    const event = JSON.parse(value.toString()) as Partial<CloudEvent>;
    if (
      event.specversion !== '1.0' ||
      typeof event.id !== 'string' ||
      typeof event.type !== 'string' ||
      typeof event.data !== 'object' ||
      event.data === null
    ) {
      return null;
    }
    return event as CloudEvent;
  } catch {
    return null;
  }
}
