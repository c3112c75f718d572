export * from './cloud-event';
export * from './event-consumer';
export * from './event-consumer.provider';
export * from './kafka-client';
export * from './processed-events';
