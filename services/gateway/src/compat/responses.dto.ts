/**
 * OpenAI's Responses request (`POST /v1/responses`), as far as an assistant uses it (decision
 * 0020). The model is `assistant/<id or share code>`; `input` is a string or a list of items
 * (messages, `function_call`, `function_call_output`), read by responses-input.ts into the
 * chat-completions conversation, so every parameter has the meaning and the bounds it has there
 * (decision 0016). A top-level field of OpenAI's that is not here is ignored with a warning.
 */
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateIf,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { NestedObjects, OptionalNestedObject, OptionalNotNull } from '@lab/contracts/dto';
import { IsMetadata } from './chat-completions.dto';

const nullable = JSONSchema({ nullable: true });
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const FUNCTION_NAME_MESSAGE = 'name must be 1 to 64 letters, digits, underscores or dashes';

/** A schema as the JSONSchema decorator takes it (not the function form). */
type Schema = Exclude<Parameters<typeof JSONSchema>[0], (...args: never[]) => unknown>;
const CALL_ID: Schema = { type: 'string', pattern: '^[\\w-]{1,64}$' };
/** The input items responses-input.ts reads, for the document (it checks them itself). */
const MESSAGE_ITEM: Schema = {
  type: 'object',
  required: ['role', 'content'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['message'] },
    role: { type: 'string', enum: ['user', 'assistant', 'system', 'developer'] },
    content: {
      oneOf: [
        { type: 'string', maxLength: 16_000 },
        {
          type: 'array',
          items: {
            type: 'object',
            required: ['type', 'text'],
            additionalProperties: true,
            properties: {
              type: { type: 'string', enum: ['input_text', 'output_text', 'text'] },
              text: { type: 'string', maxLength: 16_000 },
            },
          },
        },
      ],
    },
  },
};
const FUNCTION_CALL_ITEM: Schema = {
  type: 'object',
  required: ['type', 'call_id', 'name', 'arguments'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['function_call'] },
    call_id: CALL_ID,
    name: { type: 'string', pattern: FUNCTION_NAME.source },
    arguments: { type: 'string', maxLength: 16_000 },
  },
};
const FUNCTION_CALL_OUTPUT_ITEM: Schema = {
  type: 'object',
  required: ['type', 'call_id', 'output'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['function_call_output'] },
    call_id: CALL_ID,
    output: { type: 'string', maxLength: 16_000 },
  },
};

@ValidatorConstraint({ name: 'isResponseInput' })
export class IsResponseInput implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value === 'string') return value.length >= 1 && value.length <= 16_000;
    return Array.isArray(value) && value.length >= 1 && value.length <= 200;
  }

  defaultMessage(): string {
    return 'input must be a string (1 to 16000 characters) or a list of 1 to 200 items';
  }
}

/** One of the caller's functions, in the Responses shape (flat: no `function` wrapper). */
export class ResponsesToolDto {
  @IsIn(['function'], { message: 'type must be "function": assistants call only your functions' })
  type!: 'function';

  @Matches(FUNCTION_NAME, { message: FUNCTION_NAME_MESSAGE })
  @IsString()
  name!: string;

  @nullable
  @IsOptional()
  @MaxLength(1024)
  @IsString()
  description?: string | null;

  @JSONSchema({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown> | null;

  @nullable
  @IsOptional()
  @IsBoolean()
  strict?: boolean | null;
}

@ValidatorConstraint({ name: 'isResponsesToolChoice' })
export class IsResponsesToolChoice implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (value === 'none' || value === 'auto' || value === 'required') return true;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const choice = value as { type?: unknown; name?: unknown };
    return (
      Object.keys(value).every((key) => key === 'type' || key === 'name') &&
      choice.type === 'function' &&
      typeof choice.name === 'string' &&
      FUNCTION_NAME.test(choice.name)
    );
  }

  defaultMessage(): string {
    return 'tool_choice must be "none", "auto", "required" or {type: "function", name}';
  }
}

/** `text.format`: plain text, any JSON object, or JSON following a schema (strict: exactly). */
export class TextFormatDto {
  @IsIn(['text', 'json_object', 'json_schema'])
  type!: 'text' | 'json_object' | 'json_schema';

  /** With `json_schema`: the schema's name. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, {
    message: 'name must be 1 to 64 letters, digits, underscores or dashes',
  })
  @ValidateIf((format: TextFormatDto) => format.type === 'json_schema' || format.name != null)
  @IsString()
  name?: string;

  @OptionalNotNull()
  @MaxLength(1024)
  @IsString()
  description?: string;

  @JSONSchema({ type: 'object', additionalProperties: true })
  @ValidateIf((format: TextFormatDto) => format.type === 'json_schema' || format.schema != null)
  @IsObject()
  schema?: Record<string, unknown>;

  @nullable
  @IsOptional()
  @IsBoolean()
  strict?: boolean | null;
}

export class TextOptionsDto {
  @OptionalNestedObject(() => TextFormatDto)
  format?: TextFormatDto;

  /** Accepted; an assistant's verbosity is its prompt's. */
  @nullable
  @IsOptional()
  @IsIn(['low', 'medium', 'high'])
  verbosity?: 'low' | 'medium' | 'high' | null;
}

export class ResponsesDto {
  @Matches(/^assistant\/[A-Za-z0-9-]{4,64}$/, {
    message: 'model must name an assistant: assistant/<id or share code>',
  })
  @IsString()
  model!: string;

  /** A string (the user's message), or items: messages, `function_call`, `function_call_output`. */
  @JSONSchema(() => ({
    oneOf: [
      { type: 'string', minLength: 1, maxLength: 16_000 },
      {
        type: 'array',
        minItems: 1,
        maxItems: 200,
        items: { oneOf: [MESSAGE_ITEM, FUNCTION_CALL_ITEM, FUNCTION_CALL_OUTPUT_ITEM] },
      },
    ],
  }))
  @Validate(IsResponseInput)
  input!: string | unknown[];

  /** Sent like a caller's system message: right after the assistant's prompt. */
  @nullable
  @IsOptional()
  @MaxLength(16_000)
  @IsString()
  instructions?: string | null;

  @nullable
  @IsOptional()
  @IsBoolean()
  stream?: boolean | null;

  /**
   * `true`: stored as a turn of a response chain (decision 0022), text input only; unset or
   * `false`: a stateless exchange, answered with `store: false`.
   */
  @nullable
  @IsOptional()
  @IsBoolean()
  store?: boolean | null;

  /** Continues that stored response's chain (its session); with `store: false`, unstored. */
  @nullable
  @IsOptional()
  @MaxLength(100)
  @IsString()
  previous_response_id?: string | null;

  @nullable
  @IsOptional()
  @Min(1)
  @Max(1_000_000)
  @IsInt()
  max_output_tokens?: number | null;

  @nullable
  @IsOptional()
  @Min(0)
  @Max(2)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  temperature?: number | null;

  @nullable
  @IsOptional()
  @Min(0)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  top_p?: number | null;

  @ArrayMaxSize(128)
  @OptionalNotNull()
  @NestedObjects(() => ResponsesToolDto)
  tools?: ResponsesToolDto[];

  @JSONSchema(() => ({
    oneOf: [
      { type: 'string', enum: ['none', 'auto', 'required'] },
      {
        type: 'object',
        required: ['type', 'name'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', enum: ['function'] },
          name: { type: 'string', pattern: FUNCTION_NAME.source },
        },
      },
    ],
  }))
  @OptionalNotNull()
  @Validate(IsResponsesToolChoice)
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; name: string };

  @nullable
  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean | null;

  @OptionalNestedObject(() => TextOptionsDto)
  text?: TextOptionsDto;

  @JSONSchema(() => ({
    nullable: true,
    type: 'object',
    maxProperties: 16,
    additionalProperties: { type: 'string', maxLength: 512 },
  }))
  @IsOptional()
  @Validate(IsMetadata)
  metadata?: Record<string, string> | null;

  @OptionalNotNull()
  @MaxLength(256)
  @IsString()
  user?: string;
}
