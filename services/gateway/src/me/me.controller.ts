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
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated()
  @ApiOperation({
    summary: 'Rotate a bring-your-own OpenAI key',
    description:
      'Authenticate with the old key and send the new one: the data key is re-wrapped under the new key, history stays readable, the old key no longer signs in to this user.',
  })
  async rotate(
    @Caller() caller: AuthenticatedCaller,
    @Req() request: Request,
    @Body() body: RotateOpenAiKeyDto,
  ): Promise<void> {
    const oldKey = IdentityService.bearer(request.header('authorization'));
    await this.identity.rotateOpenAiKey(caller, oldKey, body.newKey);
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
