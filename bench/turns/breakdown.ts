/**
 * Where a service-path turn spends its time, from the session workflow's history: the server
 * stamps every event of the turn's Update (the workflow task that delivered it, its acceptance,
 * each activity scheduled/started/completed, the workflow task that ran the persist and
 * completed it) and the client stamps sending the request and receiving the answer, on the same
 * clock. Between two consecutive points is one segment; the segments are also grouped by what
 * they are (dispatch, worker, activity, service, delivery).
 */
import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import type { TurnSample } from './load';

const EventType = temporal.api.enums.v1.EventType;

type Stage = 'sent' | 'received' | 'scheduled' | 'started' | 'completed';

interface Point {
  /** `client`, `workflow`, `wft<n>` or the activity's type. */
  subject: string;
  stage: Stage;
  at: number;
}

interface Timestamp {
  seconds?: { toNumber(): number } | number | null;
  nanos?: number | null;
}

const ms = (ts: Timestamp | null | undefined): number => {
  const seconds = ts?.seconds;
  const s = typeof seconds === 'number' ? seconds : (seconds?.toNumber() ?? 0);
  return s * 1000 + (ts?.nanos ?? 0) / 1e6;
};

const id = (value: { toString(): string } | number | null | undefined) => String(value ?? '');

type HistoryEvent = NonNullable<
  Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']
>[number];

/**
 * The events of one turn: for an Update, from the workflow task that delivered it to its
 * completion (the session's workflow serves many turns); else the whole history.
 */
function turnEvents(events: HistoryEvent[], updateId: string | undefined): HistoryEvent[] {
  if (updateId === undefined) return events;
  const accepted = events.findIndex(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED &&
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ===
        updateId,
  );
  if (accepted < 0) return [];
  let first = accepted;
  while (first > 0 && events[first]?.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
    first -= 1;
  const completed = events.findIndex(
    (e, index) =>
      index > accepted &&
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED &&
      e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId === updateId,
  );
  return events.slice(first, completed < 0 ? undefined : completed + 1);
}

/** The timeline of one turn, in time order (history order among equal times). */
export async function traceTurn(client: Client, sample: TurnSample): Promise<Point[]> {
  if (!sample.ref) return [];
  const history = await client.workflow.getHandle(sample.ref.workflowId).fetchHistory();
  const events = turnEvents(history.events ?? [], sample.ref.updateId);
  if (events.length === 0) return [];
  const points: Point[] = [{ subject: 'client', stage: 'sent', at: sample.sentAt }];
  const activities = new Map<string, string>();
  let wft = 0;
  for (const event of events) {
    const at = ms(event.eventTime);
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        points.push({ subject: 'workflow', stage: 'started', at });
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        points.push({ subject: 'update', stage: 'started', at });
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        points.push({ subject: 'update', stage: 'completed', at });
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        wft += 1;
        points.push({ subject: `wft${wft}`, stage: 'scheduled', at });
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        points.push({ subject: `wft${wft}`, stage: 'started', at });
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        points.push({ subject: `wft${wft}`, stage: 'completed', at });
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const name = event.activityTaskScheduledEventAttributes?.activityType?.name ?? 'activity';
        activities.set(id(event.eventId), name);
        points.push({ subject: name, stage: 'scheduled', at });
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const scheduled = event.activityTaskStartedEventAttributes?.scheduledEventId;
        points.push({ subject: activities.get(id(scheduled)) ?? 'activity', stage: 'started', at });
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const scheduled = event.activityTaskCompletedEventAttributes?.scheduledEventId;
        points.push({
          subject: activities.get(id(scheduled)) ?? 'activity',
          stage: 'completed',
          at,
        });
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        points.push({ subject: 'workflow', stage: 'completed', at });
        break;
      default:
        break; // markers of local activities: written with their workflow task's completion
    }
  }
  points.push({ subject: 'client', stage: 'received', at: sample.receivedAt });
  return points
    .map((point, index) => ({ point, index }))
    .sort((a, b) => a.point.at - b.point.at || a.index - b.index)
    .map(({ point }) => point);
}

/** What a segment between two consecutive points is, for the grouped view. */
function groupOf(a: Point, b: Point, latencyMs: number): { group: string; ms: number } {
  const span = b.at - a.at;
  if (a.subject === 'client')
    return { group: 'sessions service: HTTP, checks, seal, key vault, Update RPC', ms: span };
  if (b.subject === 'client')
    return { group: 'outcome to the client: Update result, open, HTTP response', ms: span };
  if (a.subject === b.subject && a.stage === 'scheduled' && b.stage === 'started')
    return { group: 'task dispatch: scheduled → started (matching, polls)', ms: span };
  if (a.subject === b.subject && a.stage === 'started' && b.stage === 'completed') {
    if (a.subject.startsWith('wft'))
      return { group: 'workflow tasks on the sessions worker (incl. persistTurn)', ms: span };
    if (a.subject === 'exchange')
      return { group: 'exchange activity, minus the mock latency', ms: span - latencyMs };
    return { group: `${a.subject} activity`, ms: span };
  }
  return { group: 'server between tasks (history writes, next task)', ms: span };
}

export interface Breakdown {
  turns: number;
  /** Average ms per segment (`a → b`), in timeline order, with how many turns had it. */
  segments: Array<{ segment: string; avgMs: number; turns: number }>;
  /** Average ms per group per turn; sums to the average overhead of the traced turns. */
  groups: Array<{ group: string; avgMs: number }>;
  avgOverheadMs: number;
}

const label = (p: Point) =>
  p.subject === 'client' ? `client ${p.stage}` : `${p.subject} ${p.stage}`;

export function summarise(timelines: Point[][], latencyMs: number): Breakdown {
  const segments = new Map<string, { sum: number; n: number; order: number }>();
  const groups = new Map<string, { sum: number; order: number }>();
  let overhead = 0;
  const traced = timelines.filter((t) => t.length > 2);
  for (const points of traced) {
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1] as Point;
      const b = points[i] as Point;
      const key = `${label(a)} → ${label(b)}`;
      const segment = segments.get(key) ?? { sum: 0, n: 0, order: i };
      segment.sum += b.at - a.at;
      segment.n += 1;
      segments.set(key, segment);
      const { group, ms: groupMs } = groupOf(a, b, latencyMs);
      const entry = groups.get(group) ?? { sum: 0, order: groups.size };
      entry.sum += groupMs;
      groups.set(group, entry);
    }
    overhead += (points.at(-1)?.at ?? 0) - (points[0]?.at ?? 0) - latencyMs;
  }
  const n = Math.max(1, traced.length);
  return {
    turns: traced.length,
    segments: [...segments.entries()]
      .sort((a, b) => a[1].order - b[1].order)
      .map(([segment, s]) => ({ segment, avgMs: s.sum / s.n, turns: s.n })),
    groups: [...groups.entries()]
      .sort((a, b) => a[1].order - b[1].order)
      .map(([group, g]) => ({ group, avgMs: g.sum / n })),
    avgOverheadMs: overhead / n,
  };
}

/** Up to `count` successful turns spread evenly over the run. */
export function pick(samples: TurnSample[], count: number): TurnSample[] {
  const ok = samples.filter((s) => s.ok && s.ref);
  if (ok.length <= count) return ok;
  return Array.from(
    { length: count },
    (_, i) => ok[Math.floor((i * ok.length) / count)] as TurnSample,
  );
}
