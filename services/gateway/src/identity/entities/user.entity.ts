import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** How a user's data key is wrapped: by their own OpenAI key, or by the platform master key. */
export type KeyMode = 'byok' | 'platform';

/**
 * A user of the platform. No personal data: an id, how their data key is wrapped, and counters.
 * `wrappedDataKey` is the per-user data key encrypted under the wrapping key (DESIGN §4).
 */
@Entity('users')
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'key_mode', type: 'varchar', length: 16 })
  keyMode!: KeyMode;

  @Column({ name: 'wrapped_data_key', type: 'text' })
  wrappedDataKey!: string;

  /**
   * During a key rotation (decision 0021): the data key the history moves from, wrapped under
   * the NEW OpenAI key; null when no rotation is open.
   */
  @Column({ name: 'previous_wrapped_data_key', type: 'text', nullable: true })
  previousWrappedDataKey?: string | null;

  /** The HKDF salt of a bring-your-own-key wrapping key (random, not secret). */
  @Column({ name: 'key_salt', type: 'varchar', length: 64 })
  keySalt!: string;

  @Column({ name: 'sessions_started', type: 'integer', default: 0 })
  sessionsStarted!: number;

  @Column({ name: 'sessions_ended', type: 'integer', default: 0 })
  sessionsEnded!: number;

  @Column({ name: 'assistants_created', type: 'integer', default: 0 })
  assistantsCreated!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
