export * from './outbox';
export * from './outbox-event.entity';
