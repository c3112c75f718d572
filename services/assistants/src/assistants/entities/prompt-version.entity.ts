import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One version of an assistant's prompts: its creator's secret. Never logged, never in events.
 * At rest the prompts are ciphertext under the version's data key, which is stored wrapped by the
 * PROMPT_KEYS ring (see PromptCipher); the repository seals and opens them.
 */
@Entity('prompt_versions')
export class PromptVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'assistant_id', type: 'uuid' })
  assistantId!: string;

  @Column({ type: 'integer' })
  number!: number;

  /** The version's data key, wrapped (`v1.<keyId>.…`); null only for a row not yet sealed. */
  @Column({ name: 'wrapped_key', type: 'text', nullable: true })
  wrappedKey!: string | null;

  @Column({ name: 'initial_prompt', type: 'text' })
  initialPrompt!: string;

  @Column({ name: 'summary_prompt', type: 'text' })
  summaryPrompt!: string;

  @Column({ name: 'sessions_started', type: 'integer', default: 0 })
  sessionsStarted!: number;

  @Column({ name: 'sessions_ended', type: 'integer', default: 0 })
  sessionsEnded!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
