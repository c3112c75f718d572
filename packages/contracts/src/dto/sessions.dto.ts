/** The sessions API's request bodies and queries (the sessions service and the gateway). */
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';

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
  @IsOptional()
  @IsUUID()
  assistantId?: string;

  @IsOptional()
  @MaxLength(200)
  @IsString()
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(100)
  @IsInt()
  limit?: number;
}
