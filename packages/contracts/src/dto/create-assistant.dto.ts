import { IsBoolean, IsIn, IsNumber, IsString, Length, Max, Min } from 'class-validator';
import { NestedObject, OptionalNotNull } from './decorators';
import type { SessionType } from '../turns';
import { ModelConfigDto } from './model-config.dto';
import { PromptsDto } from './prompt-version.dto';

const SESSION_TYPES: readonly SessionType[] = ['brainstorm', 'coach'];

/** The lab's draft, finalised with its details (the seed's lab steps 1 and 3). */
export class CreateAssistantDto extends PromptsDto {
  @Length(1, 80)
  @IsString()
  name!: string;

  @Length(1, 160)
  @IsString()
  tagLine!: string;

  @Length(0, 2000)
  @IsString()
  description!: string;

  @IsIn(SESSION_TYPES)
  sessionType!: SessionType;

  @NestedObject(() => ModelConfigDto)
  modelConfig!: ModelConfigDto;

  /** The prompt-leak guard's similarity threshold for this assistant (the seed's 0.65 by default). */
  @OptionalNotNull()
  @Min(0.1)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  guardThreshold?: number;

  /** Put a secret canary into the system prompt sent to the model; found in a reply, it is a leak. */
  @OptionalNotNull()
  @IsBoolean()
  guardCanary?: boolean;

  /** Compare reply sentences with the prompt's by embeddings, when the platform has a model for it. */
  @OptionalNotNull()
  @IsBoolean()
  guardSemantic?: boolean;

  /** The semantic stage's cosine threshold (0.9 by default). */
  @OptionalNotNull()
  @Min(0.1)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  guardSemanticThreshold?: number;
}
