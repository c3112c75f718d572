import { OptionalNotNull, ToInteger } from '@lab/contracts/dto';
import {
  IsIn,
  IsInt,
  Max,
  Min,
  IsString,
  Matches,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { UsageDimension } from '../usage/usage.repository';

export const USAGE_DIMENSIONS: readonly UsageDimension[] = [
  'day',
  'user',
  'assistant',
  'model',
  'apiKey',
];

/** A calendar day that exists (`2025-02-30` does not). */
@ValidatorConstraint({ name: 'isCalendarDay' })
export class IsCalendarDay implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a calendar day, YYYY-MM-DD`;
  }
}

/** `to` on or after `from`, at most 366 days apart. */
@ValidatorConstraint({ name: 'isRangeEnd' })
export class IsRangeEnd implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const from = (args.object as { from?: unknown }).from;
    if (typeof value !== 'string' || typeof from !== 'string') return true;
    const days = (Date.parse(value) - Date.parse(from)) / 86_400_000;
    return days >= 0 && days <= 366;
  }

  defaultMessage(): string {
    return 'to must be on or after from, at most 366 days later';
  }
}

export class UsageQueryDto {
  /** First UTC day, inclusive. */
  @Validate(IsCalendarDay)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be YYYY-MM-DD' })
  @IsString()
  from!: string;

  /** Last UTC day, inclusive. */
  @Validate(IsRangeEnd)
  @Validate(IsCalendarDay)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be YYYY-MM-DD' })
  @IsString()
  to!: string;

  @IsIn(USAGE_DIMENSIONS)
  @IsString()
  groupBy!: UsageDimension;
}

export class OpsMetricsQueryDto {
  /** How far back, in minutes (default 60, at most a day). */
  @OptionalNotNull()
  @ToInteger()
  @Min(5)
  @Max(1440)
  @IsInt()
  minutes?: number;
}
