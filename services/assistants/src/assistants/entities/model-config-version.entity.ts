import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One version of an assistant's model configuration. */
@Entity('model_config_versions')
export class ModelConfigVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'assistant_id', type: 'uuid' })
  assistantId!: string;

  @Column({ type: 'integer' })
  number!: number;

  @Column({ type: 'varchar', length: 64 })
  model!: string;

  @Column({ name: 'max_tokens', type: 'integer' })
  maxTokens!: number;

  @Column({ type: 'real' })
  temperature!: number;

  @Column({ name: 'top_p', type: 'real' })
  topP!: number;

  @Column({ name: 'frequency_penalty', type: 'real' })
  frequencyPenalty!: number;

  @Column({ name: 'presence_penalty', type: 'real' })
  presencePenalty!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
