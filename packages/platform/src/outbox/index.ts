export * from './outbox';
export * from './outbox-event.entity';
export * from './relay';
export * from './relay.provider';
export * from './relay-readiness';
// The consumers' side of the same events (envelope, Kafka clients, idempotent consumer).
export * from '../kafka';
