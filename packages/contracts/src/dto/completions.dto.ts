import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';

/**
 * One message of the conversation so far, as an OpenAI chat request carries it (text only; empty
 * content is allowed, as OpenAI allows it, except for the last user message).
 */
export class CompletionMessageDto {
  @IsIn(['system', 'user', 'assistant'])
  role!: 'system' | 'user' | 'assistant';

  @MaxLength(16_000)
  @IsString()
  content!: string;
}

/** A completion with a stored assistant: the caller keeps the conversation and sends it whole. */
export class CreateCompletionDto {
  @IsUUID()
  assistantId!: string;

  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => CompletionMessageDto)
  @IsArray()
  messages!: CompletionMessageDto[];

  @IsOptional()
  @IsBoolean()
  stream?: boolean;
}
