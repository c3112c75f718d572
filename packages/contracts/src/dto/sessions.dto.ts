/** The sessions API's request bodies and queries (the sessions service and the gateway). */
import { IsIn, IsInt, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { OptionalNotNull, ToInteger } from './decorators';

export class StartSessionDto {
  @IsUUID()
  assistantId!: string;
}

export class SendMessageDto {
  @Length(1, 16_000)
  @IsString()
  content!: string;
}

export class ListSessionsQueryDto {
  @OptionalNotNull()
  @IsUUID()
  assistantId?: string;

  @OptionalNotNull()
  @MaxLength(200)
  @IsString()
  cursor?: string;

  @OptionalNotNull()
  @ToInteger()
  @Min(1)
  @Max(100)
  @IsInt()
  limit?: number;
}

/** `?stream=true` asks for Server-Sent Events (as `Accept: text/event-stream` does). */
export class StreamQueryDto {
  @OptionalNotNull()
  @IsIn(['true', 'false'])
  stream?: 'true' | 'false';
}
