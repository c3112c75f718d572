import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
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
  @IsOptional()
  @IsBoolean()
  activate?: boolean;

  /** When given, the assistant's version the client last saw: a stale one answers 409. */
  @IsOptional()
  @Min(1)
  @IsInt()
  expectedVersion?: number;
}

export class AddModelConfigVersionDto {
  @ValidateNested()
  @Type(() => ModelConfigDto)
  modelConfig!: ModelConfigDto;

  @IsOptional()
  @IsBoolean()
  activate?: boolean;

  @IsOptional()
  @Min(1)
  @IsInt()
  expectedVersion?: number;
}

export class ActivateVersionDto {
  @IsOptional()
  @Min(1)
  @IsInt()
  expectedVersion?: number;
}
