import { IsInt, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { OptionalNotNull, ToInteger } from './decorators';

export class PageQueryDto {
  @OptionalNotNull()
  @ToInteger()
  @Min(1)
  @Max(100)
  @IsInt()
  limit?: number;

  @OptionalNotNull()
  @MaxLength(200)
  @IsString()
  cursor?: string;
}

export class SearchQueryDto extends PageQueryDto {
  @Length(1, 200)
  @IsString()
  q!: string;
}
