/**
 * Signing in and the caller's own account: a user is made on first use of a credential; a
 * bring-your-own-key user rotates their OpenAI key here. Users carry counters, no personal data.
 */
import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { notFound } from '@lab/platform/http';
import { Answers } from '../openapi/views';
import type { Request } from 'express';
import { Authenticated, Caller } from '../identity/auth.guard';
import type { AuthenticatedCaller } from '../identity/caller';
import { IdentityService } from '../identity/identity.service';
import { UsersRepository } from '../identity/users.repository';
import { KeyRotationService, type KeyRotationView } from './key-rotation.service';
import { RotateOpenAiKeyDto } from './me.dto';

export interface MeView {
  id: string;
  kind: AuthenticatedCaller['kind'];
  scopes: readonly string[];
  createdAt: string;
  counters: { sessionsStarted: number; sessionsEnded: number; assistantsCreated: number };
}

@ApiTags('me')
@Controller('v1')
export class MeController {
  constructor(
    private readonly identity: IdentityService,
    private readonly users: UsersRepository,
    private readonly rotations: KeyRotationService,
  ) {}

  @Post('sign-in')
  @HttpCode(HttpStatus.OK)
  @Authenticated()
  @ApiOperation({
    summary: 'Sign in: the credential in Authorization makes or finds the user',
    description:
      'With an OpenAI key, the key is checked once with the provider and the user is known only by a one-way hash of it.',
  })
  @Answers('Me')
  signIn(@Caller() caller: AuthenticatedCaller): Promise<MeView> {
    return this.view(caller);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The calling user and their counters' })
  @Answers('Me')
  me(@Caller() caller: AuthenticatedCaller): Promise<MeView> {
    return this.view(caller);
  }

  @Post('me/openai-key')
  @HttpCode(HttpStatus.ACCEPTED)
  @Authenticated()
  @ApiOperation({
    summary: 'Rotate a bring-your-own OpenAI key',
    description:
      'Authenticate with the old key and send the new one (it is checked with the provider). The old key stops signing in at once; the user gets a new data key and the history is re-encrypted under it in the background (progress: GET /v1/me/openai-key/rotation), after which the old key and the old data key open nothing the platform holds. Repeating the request with the same newKey (authenticated with the new key) answers the same rotation. 409 rotation_in_progress: a rotation to another key is still running.',
  })
  @Answers('KeyRotation', HttpStatus.ACCEPTED)
  rotate(
    @Caller() caller: AuthenticatedCaller,
    @Req() request: Request,
    @Body() body: RotateOpenAiKeyDto,
  ): Promise<KeyRotationView> {
    const bearer = IdentityService.bearer(request.header('authorization'));
    return this.rotations.rotate(caller, bearer, body.newKey);
  }

  @Get('me/openai-key/rotation')
  @Authenticated()
  @ApiOperation({
    summary: 'The progress of my key rotation',
    description:
      'The rotation to the data key of the key in use: sessions moved of those to move. 404 when this key never rotated. Once it reads `done`, the previous data key is dropped.',
  })
  @Answers('KeyRotation')
  rotation(
    @Caller() caller: AuthenticatedCaller,
    @Req() request: Request,
  ): Promise<KeyRotationView> {
    if (caller.kind !== 'byok') throw notFound('Key rotation');
    return this.rotations.progress(caller, IdentityService.bearer(request.header('authorization')));
  }

  private async view(caller: AuthenticatedCaller): Promise<MeView> {
    const user = await this.users.findUser(caller.userId);
    if (!user) throw notFound('User');
    return {
      id: user.id,
      kind: caller.kind,
      scopes: caller.scopes,
      createdAt: user.createdAt.toISOString(),
      counters: {
        sessionsStarted: user.sessionsStarted,
        sessionsEnded: user.sessionsEnded,
        assistantsCreated: user.assistantsCreated,
      },
    };
  }
}
