/**
 * OpenAI's chat-completions request, as far as an assistant uses it. The model is
 * `assistant/<id or share code>`; the assistant's own prompts and model configuration apply, so
 * sampling fields an SDK may send are accepted and ignored. Unknown fields are refused.
 */
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  IsInt,
  ValidateNested,
} from 'class-validator';

export class ChatMessageDto {
  @IsIn(['system', 'developer', 'user', 'assistant'])
  role!: 'system' | 'developer' | 'user' | 'assistant';

  /** A string, or an array of `{ type: 'text', text }` parts. */
  @IsDefined()
  content!: string | Array<{ type: string; text?: string }>;

  @IsOptional()
  @MaxLength(64)
  @IsString()
  name?: string;
}

export class StreamOptionsDto {
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;
}

export class ChatCompletionsDto {
  @Matches(/^assistant\/[A-Za-z0-9-]{4,64}$/, {
    message: 'model must name an assistant: assistant/<id or share code>',
  })
  @IsString()
  model!: string;

  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  @ArrayMaxSize(200)
  @ArrayMinSize(1)
  @IsArray()
  messages!: ChatMessageDto[];

  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto;

  /** Only one choice is ever made. */
  @IsOptional()
  @Min(1)
  @Max(1)
  @IsInt()
  n?: number;

  // Accepted for compatibility, ignored: the assistant's model configuration decides.
  @Allow() temperature?: unknown;
  @Allow() top_p?: unknown;
  @Allow() max_tokens?: unknown;
  @Allow() max_completion_tokens?: unknown;
  @Allow() presence_penalty?: unknown;
  @Allow() frequency_penalty?: unknown;
  @Allow() seed?: unknown;
  @Allow() stop?: unknown;
  @Allow() user?: unknown;
  @Allow() metadata?: unknown;
  @Allow() store?: unknown;
}
