/**
 * Platform API keys for internal systems, administered by operators: created (the secret is
 * shown once), listed (never the secret), revoked. Allowed to the bootstrap ADMIN_TOKEN and to
 * API keys with the `admin` scope.
 */
import {
  Body,
  type CanActivate,
  Controller,
  Delete,
  type ExecutionContext,
  Get,
  HttpCode,
  HttpStatus,
  Injectable,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiException, notFound } from '@lab/platform/http';
import type { CallerRequest } from '../identity/caller';
import { newApiKey } from '../identity/credentials';
import type { ApiKeyEntity } from '../identity/entities/api-key.entity';
import { Answers } from '../openapi/views';
import { authenticateRequest } from '../identity/auth.guard';
import { IdentityService } from '../identity/identity.service';
import { UsersRepository } from '../identity/users.repository';
import { CreateApiKeyDto } from './api-keys.dto';
import { ParseId } from '../upstream/params';
import { type CapsByPeriod, NO_CAPS, SpendCapsRepository } from '../spend/spend-caps.repository';

@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly identity: IdentityService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const token = IdentityService.bearer(request.header('authorization'));
    if (this.identity.isAdminToken(token)) return true;
    const { caller } = await authenticateRequest(this.identity, token, context);
    if (!caller.scopes.includes('admin')) {
      throw new ApiException(
        HttpStatus.FORBIDDEN,
        'insufficient_scope',
        'This credential lacks the "admin" scope',
      );
    }
    request.caller = caller;
    return true;
  }
}

export interface ApiKeyView {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  spendCaps: { dailyUsd: number | null; weeklyUsd: number | null; monthlyUsd: number | null };
}

const view = (key: ApiKeyEntity, caps: CapsByPeriod = NO_CAPS): ApiKeyView => ({
  id: key.id,
  userId: key.userId,
  name: key.name,
  prefix: key.prefix,
  scopes: key.scopes,
  createdAt: key.createdAt.toISOString(),
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
  spendCaps: { dailyUsd: caps.daily, weeklyUsd: caps.weekly, monthlyUsd: caps.monthly },
});

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/api-keys')
@UseGuards(AdminGuard)
export class ApiKeysController {
  constructor(
    private readonly users: UsersRepository,
    private readonly identity: IdentityService,
    private readonly spendCaps: SpendCapsRepository,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a platform API key; the secret is in this answer only' })
  @Answers('ApiKey', HttpStatus.CREATED)
  async create(@Body() body: CreateApiKeyDto): Promise<ApiKeyView & { key: string }> {
    let userId = body.userId;
    if (userId) {
      if (!(await this.users.isSystemUser(userId))) throw notFound('System user');
    } else {
      const user = this.identity.platformUser();
      await this.users.createSystemUser(user);
      userId = user.id;
    }
    const { key, prefix, hash } = newApiKey();
    const saved = await this.users.insertApiKey({
      userId,
      name: body.name,
      prefix,
      hash,
      scopes: body.scopes,
    });
    const caps: CapsByPeriod = {
      daily: body.spendCaps?.dailyUsd ?? null,
      weekly: body.spendCaps?.weeklyUsd ?? null,
      monthly: body.spendCaps?.monthlyUsd ?? null,
    };
    // Not in the key's insert transaction, but safe: if this fails, the answer (the only place
    // the secret is ever shown) fails too, so nobody holds the uncapped key.
    if (caps.daily !== null || caps.weekly !== null || caps.monthly !== null) {
      await this.spendCaps.setForKey(saved.id, caps);
    }
    return { ...view(saved, caps), key };
  }

  @Get()
  @ApiOperation({ summary: 'All platform API keys (never their secrets)' })
  @Answers('ApiKeyList')
  async list(): Promise<{ items: ApiKeyView[] }> {
    const keys = await this.users.listApiKeys();
    const caps = await this.spendCaps.forKeys(keys.map((key) => key.id));
    return { items: keys.map((key) => view(key, caps.get(key.id))) };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke a platform API key: it stops working at once' })
  async revoke(@Param('id', ParseId) id: string): Promise<void> {
    if (!(await this.users.revokeApiKey(id))) {
      if (!(await this.users.findApiKey(id))) throw notFound('API key');
    }
  }
}
