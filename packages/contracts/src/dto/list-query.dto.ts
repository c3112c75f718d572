import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';

export class PageQueryDto {
  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(100)
  @IsInt()
  limit?: number;

  @IsOptional()
  @MaxLength(200)
  @IsString()
  cursor?: string;
}

export class SearchQueryDto extends PageQueryDto {
  @Length(1, 200)
  @IsString()
  q!: string;
}
