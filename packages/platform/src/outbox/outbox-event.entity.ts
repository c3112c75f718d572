import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A fact to publish on Kafka, written in the same transaction as the change it reports (the
 * transactional outbox of every producing service). Payloads carry ids, counts and usage, never
 * prompt or message text. The relay reads unpublished rows in `seq` order.
 */
@Entity('outbox')
export class OutboxEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column({ name: 'aggregate_type', type: 'varchar', length: 32 })
  aggregateType!: string;

  @Column({ name: 'aggregate_id', type: 'uuid' })
  aggregateId!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'occurred_at', type: 'timestamptz', insert: false, update: false })
  occurredAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
