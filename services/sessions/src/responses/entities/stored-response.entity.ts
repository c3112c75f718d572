import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A stored response (decision 0022): its id, the turn of the response-chain session that
 * answered it, and its owner. `envelope` is ciphertext under the owner's data key.
 */
@Entity('responses')
export class StoredResponseEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'turn_id', type: 'varchar', length: 128 })
  turnId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** The response's request-side fields and input items, sealed (purpose `response`). */
  @Column({ type: 'text' })
  envelope!: string;

  /** The model's finish reason (`stop`, `length`, ...), for the response's status. */
  @Column({ name: 'finish_reason', type: 'varchar', length: 32, nullable: true })
  finishReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
