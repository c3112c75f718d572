/**
 * A user's key rotation (internal; decision 0021): the gateway, holding the user's new data key
 * and the previous one (both in the caller's `x-key-ref` entry), starts the re-encryption here
 * and reads its progress. The rotation is named by the new key's id, so a repeated start is the
 * same rotation.
 */
import { Controller, Get, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { ApiException, CallerId, InternalCallerGuard, notFound } from '@lab/platform/http';
import type { WithCallerKeys } from '../sessions/caller-keys.interceptor';
import { DataKey } from '../sessions/data-key.decorator';
import { RotationService } from './rotation.service';

@Controller('key-rotations')
@UseGuards(InternalCallerGuard)
export class RotationController {
  constructor(private readonly rotation: RotationService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  start(@CallerId() userId: string, @DataKey() dataKey: Buffer, @Req() request: WithCallerKeys) {
    const previous = request.callerKeys?.previousDataKey;
    if (previous?.length !== 32) {
      throw new ApiException(
        HttpStatus.BAD_REQUEST,
        'previous_data_key_required',
        'x-key-ref must name the data key the history moves from',
      );
    }
    return this.rotation.start(userId, { from: previous, to: dataKey });
  }

  /** The rotation to the caller's current data key. */
  @Get('current')
  async current(@CallerId() userId: string, @DataKey() dataKey: Buffer) {
    const progress = await this.rotation.progress(userId, dataKey);
    if (!progress) throw notFound('Key rotation');
    return progress;
  }
}
