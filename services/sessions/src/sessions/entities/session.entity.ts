import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type SessionStatus = 'active' | 'ended';

/**
 * A chat session with an assistant, pinned to the prompt and model-config versions active when
 * it started. `payload` (the thread sent to the model) and `recap` are ciphertext. Its live
 * state (the turn it is answering) is its session workflow's; the row is what it persisted.
 */
@Entity('sessions')
export class SessionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'assistant_id', type: 'uuid' })
  assistantId!: string;

  @Column({ name: 'prompt_version_id', type: 'uuid' })
  promptVersionId!: string;

  @Column({ name: 'model_config_version_id', type: 'uuid' })
  modelConfigVersionId!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: SessionStatus;

  @Column({ name: 'message_count', type: 'integer', default: 0 })
  messageCount!: number;

  @Column({ name: 'turn_count', type: 'integer', default: 0 })
  turnCount!: number;

  @Column({ name: 'prompt_tokens', type: 'bigint', default: 0 })
  promptTokens!: string;

  @Column({ name: 'completion_tokens', type: 'bigint', default: 0 })
  completionTokens!: string;

  @Column({ name: 'guard_hits', type: 'integer', default: 0 })
  guardHits!: number;

  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'text', nullable: true })
  recap!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'modified_at', type: 'timestamptz' })
  modifiedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** `user` (POST /end, with a recap) or `idle` (the idle sweep, without one). */
  @Column({ name: 'ended_reason', type: 'varchar', length: 16, nullable: true })
  endedReason!: 'user' | 'idle' | null;

  /** Set once the transcript's archive exists in object storage. */
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @Column({ name: 'archive_key', type: 'text', nullable: true })
  archiveKey!: string | null;

  @Column({ name: 'archive_size', type: 'bigint', nullable: true })
  archiveSize!: string | null;

  /** The public id (`dataKeyId`) of the data key the session's rows are under; null: the first. */
  @Column({ name: 'data_key_id', type: 'varchar', length: 16, nullable: true })
  dataKeyId!: string | null;

  /** Of the archive object's bytes (hex). */
  @Column({ name: 'archive_sha256', type: 'varchar', length: 64, nullable: true })
  archiveSha256!: string | null;
}
