import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type SessionType = 'brainstorm' | 'coach';
export const SESSION_TYPES: readonly SessionType[] = ['brainstorm', 'coach'];

/** An assistant: its public details, its counters, and which prompt and model config are active. */
@Entity('assistants')
export class AssistantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Insertion order: the stable key of every listing's cursor. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column({ type: 'varchar', length: 12 })
  code!: string;

  @Column({ type: 'varchar', length: 80 })
  name!: string;

  @Column({ name: 'tag_line', type: 'varchar', length: 160 })
  tagLine!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ name: 'session_type', type: 'varchar', length: 16 })
  sessionType!: SessionType;

  @Column({ name: 'creator_id', type: 'uuid' })
  creatorId!: string;

  @Column({ type: 'boolean', default: false })
  showcased!: boolean;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'guard_threshold', type: 'real', default: 0.65 })
  guardThreshold!: number;

  /** Put a canary into the system prompt sent to the model; found in a reply, it is a leak. */
  @Column({ name: 'guard_canary', type: 'boolean', default: false })
  guardCanary!: boolean;

  /** Compare reply sentences with the prompt's by embeddings (when the worker has a model for it). */
  @Column({ name: 'guard_semantic', type: 'boolean', default: false })
  guardSemantic!: boolean;

  @Column({ name: 'guard_semantic_threshold', type: 'real', default: 0.9 })
  guardSemanticThreshold!: number;

  @Column({ name: 'active_prompt_version_id', type: 'uuid', nullable: true })
  activePromptVersionId!: string | null;

  @Column({ name: 'active_model_config_version_id', type: 'uuid', nullable: true })
  activeModelConfigVersionId!: string | null;

  @Column({ name: 'sessions_started', type: 'integer', default: 0 })
  sessionsStarted!: number;

  @Column({ name: 'sessions_ended', type: 'integer', default: 0 })
  sessionsEnded!: number;

  /** Optimistic lock: every change bumps it, and an update naming an older one is refused. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'modified_at', type: 'timestamptz' })
  modifiedAt!: Date;
}
