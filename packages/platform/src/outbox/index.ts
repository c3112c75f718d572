export * from './outbox';
export * from './outbox-event.entity';
export * from './relay';
export * from './relay.provider';
// The consumers' side of the same events (envelope, Kafka clients, idempotent consumer).
export * from '../kafka';
