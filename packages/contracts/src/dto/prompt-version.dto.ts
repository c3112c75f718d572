import { IsBoolean, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { MAX_INT, NestedObject, OptionalNotNull } from './decorators';
import { ModelConfigDto } from './model-config.dto';

export const PROMPT_MAX_LENGTH = 20_000;

export class PromptsDto {
  @Length(1, PROMPT_MAX_LENGTH)
  @IsString()
  initialPrompt!: string;

  @Length(1, PROMPT_MAX_LENGTH)
  @IsString()
  summaryPrompt!: string;
}

/** A new prompt version; active at once unless `activate` is false. */
export class AddPromptVersionDto extends PromptsDto {
  @OptionalNotNull()
  @IsBoolean()
  activate?: boolean;

  /** When given, the assistant's version the client last saw: a stale one answers 409. */
  @OptionalNotNull()
  @Max(MAX_INT)
  @Min(1)
  @IsInt()
  expectedVersion?: number;
}

export class AddModelConfigVersionDto {
  @NestedObject(() => ModelConfigDto)
  modelConfig!: ModelConfigDto;

  @OptionalNotNull()
  @IsBoolean()
  activate?: boolean;

  @OptionalNotNull()
  @Max(MAX_INT)
  @Min(1)
  @IsInt()
  expectedVersion?: number;
}

export class ActivateVersionDto {
  @OptionalNotNull()
  @Max(MAX_INT)
  @Min(1)
  @IsInt()
  expectedVersion?: number;
}
