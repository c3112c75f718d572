import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A completed turn: makes persisting it idempotent and answers a repeated request. */
@Entity('turns')
export class TurnEntity {
  @PrimaryColumn({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @PrimaryColumn({ name: 'turn_id', type: 'varchar', length: 128 })
  turnId!: string;

  /** HMAC of the request under the data key: a repeat with another body is refused (null: older turns). */
  @Column({ name: 'request_hash', type: 'varchar', length: 64, nullable: true })
  requestHash!: string | null;

  /** Ciphertext. */
  @Column({ type: 'text' })
  reply!: string;

  @Column({ name: 'guard_hit', type: 'boolean' })
  guardHit!: boolean;

  @Column({ name: 'prompt_tokens', type: 'integer' })
  promptTokens!: number;

  @Column({ name: 'completion_tokens', type: 'integer' })
  completionTokens!: number;

  @Column({ type: 'varchar', length: 64 })
  model!: string;

  @Column({ type: 'varchar', length: 16 })
  condensed!: 'keep' | 'truncate' | 'summarise';

  @Column({ name: 'latency_ms', type: 'integer' })
  latencyMs!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
