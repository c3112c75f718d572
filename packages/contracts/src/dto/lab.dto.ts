import { ModelConfigDto } from './model-config.dto';
import { NestedObject, NestedObjects, OptionalNestedObject, OptionalNotNull } from './decorators';
import {
  IsBoolean,
  ArrayMaxSize,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** The lab's draft assistant (seed lab step 1): prompts and model config, not yet created. */
export class LabDraftDto {
  @IsIn(['brainstorm', 'coach'])
  sessionType!: 'brainstorm' | 'coach';

  @Length(1, 20_000)
  @IsString()
  initialPrompt!: string;

  @Length(1, 20_000)
  @IsString()
  summaryPrompt!: string;

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

  @NestedObject(() => ModelConfigDto)
  modelConfig!: ModelConfigDto;
}

export class LabMessageDto {
  @IsIn(['user', 'assistant'])
  role!: 'user' | 'assistant';

  @Length(1, 16_000)
  @IsString()
  content!: string;
}

export class LabThreadDto {
  @IsOptional() // null: no summary yet
  @MaxLength(20_000)
  @IsString()
  summary?: string | null;

  @ArrayMaxSize(200)
  @NestedObjects(() => LabMessageDto)
  messages!: LabMessageDto[];
}

/** One test-chat turn: the draft, the thread so far (kept by the caller), and the new message. */
export class LabTurnDto {
  @NestedObject(() => LabDraftDto)
  draft!: LabDraftDto;

  @OptionalNestedObject(() => LabThreadDto)
  thread?: LabThreadDto;

  /** Absent for the assistant's opening message. */
  @OptionalNotNull()
  @Length(1, 16_000)
  @IsString()
  message?: string;
}
