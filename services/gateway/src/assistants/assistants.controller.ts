/**
 * The assistants of the public API: the lounge, my assistants, search, find by share code,
 * details with my past sessions, and the creator's operations (create from the lab, edit,
 * versions, deactivate). The assistants service scopes everything by the caller: prompts and
 * model configs appear only in their creator's views; another's assistant is 404 to a write.
 */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  ActivateVersionDto,
  AddModelConfigVersionDto,
  AddPromptVersionDto,
  CreateAssistantDto,
  PageQueryDto,
  SearchQueryDto,
  UpdateAssistantDto,
} from '@lab/contracts/dto';
import { ApiQueryFrom } from '../openapi/decorators';
import { Answers } from '../openapi/views';
import type { Request } from 'express';
import { Authenticated, Caller } from '../identity/auth.guard';
import type { AuthenticatedCaller } from '../identity/caller';
import { ParseId } from '../upstream/params';
import { ASSISTANTS, SESSIONS, type Upstream } from '../upstream/upstream';

const PAST_SESSIONS = 20;

@ApiTags('assistants')
@Controller('v1/assistants')
export class AssistantsController {
  constructor(
    @Inject(ASSISTANTS) private readonly assistants: Upstream,
    @Inject(SESSIONS) private readonly sessions: Upstream,
  ) {}

  @Get('showcased')
  @Authenticated('assistants:read')
  @ApiOperation({ summary: 'The lounge: showcased assistants' })
  @Answers('AssistantPage')
  @ApiQueryFrom(PageQueryDto)
  async showcased(
    @Caller() caller: AuthenticatedCaller,
    @Query() query: PageQueryDto,
    @Req() request: Request,
  ) {
    return (
      await this.assistants.json(caller, {
        path: '/assistants/showcased',
        query: { ...query },
        request,
      })
    ).body;
  }

  @Get('mine')
  @Authenticated('assistants:read')
  @ApiOperation({ summary: 'The assistants I created, newest first' })
  @Answers('AssistantPage')
  @ApiQueryFrom(PageQueryDto)
  async mine(
    @Caller() caller: AuthenticatedCaller,
    @Query() query: PageQueryDto,
    @Req() request: Request,
  ) {
    return (
      await this.assistants.json(caller, { path: '/assistants/mine', query: { ...query }, request })
    ).body;
  }

  @Get('search')
  @Authenticated('assistants:read')
  @ApiOperation({ summary: 'Full-text search of names and tag lines (showcased and mine)' })
  @Answers('AssistantPage')
  @ApiQueryFrom(SearchQueryDto)
  async search(
    @Caller() caller: AuthenticatedCaller,
    @Query() query: SearchQueryDto,
    @Req() request: Request,
  ) {
    return (
      await this.assistants.json(caller, {
        path: '/assistants/search',
        query: { ...query },
        request,
      })
    ).body;
  }

  @Get('by-code/:code')
  @Authenticated('assistants:read')
  @ApiOperation({ summary: 'Find an assistant by its share code' })
  @Answers('Assistant')
  @ApiParam({
    name: 'code',
    description: 'The share code as people type it (case, dashes and look-alikes are forgiven)',
    schema: { type: 'string', minLength: 1, maxLength: 64 },
  })
  async byCode(
    @Caller() caller: AuthenticatedCaller,
    @Param('code') code: string,
    @Req() request: Request,
  ) {
    const path = `/assistants/by-code/${encodeURIComponent(code)}`;
    return (await this.assistants.json(caller, { path, request })).body;
  }

  @Get(':id')
  @Authenticated('assistants:read')
  @ApiOperation({
    summary: 'An assistant, with my past sessions with it',
    description: 'Prompts and model configuration appear only to the assistant’s creator.',
  })
  @Answers('AssistantDetails')
  async details(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    const [assistant, sessions] = await Promise.all([
      this.assistants.json(caller, { path: `/assistants/${id}`, request }),
      this.sessions.json(caller, {
        path: '/sessions',
        query: { assistantId: id, limit: PAST_SESSIONS },
        request,
      }),
    ]);
    return { assistant: assistant.body, sessions: sessions.body };
  }

  @Post()
  @Authenticated('assistants:write')
  @ApiOperation({
    summary:
      'Create an assistant from a lab draft and its details (the confirmation carries its share code)',
  })
  @Answers('Assistant', HttpStatus.CREATED)
  async create(
    @Caller() caller: AuthenticatedCaller,
    @Body() body: CreateAssistantDto,
    @Req() request: Request,
  ) {
    return (
      await this.assistants.json(caller, { method: 'POST', path: '/assistants', body, request })
    ).body;
  }

  @Patch(':id')
  @Authenticated('assistants:write')
  @ApiOperation({
    summary: 'Edit details (creator only); `version` must be the current one (409 otherwise)',
  })
  @Answers('Assistant')
  async update(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Body() body: UpdateAssistantDto,
    @Req() request: Request,
  ) {
    return (
      await this.assistants.json(caller, {
        method: 'PATCH',
        path: `/assistants/${id}`,
        body,
        request,
      })
    ).body;
  }

  @Post(':id/deactivate')
  @HttpCode(HttpStatus.OK)
  @Authenticated('assistants:write')
  @ApiOperation({ summary: 'Take an assistant out of listings (creator only)' })
  @Answers('Assistant')
  async deactivate(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    return (
      await this.assistants.json(caller, {
        method: 'POST',
        path: `/assistants/${id}/deactivate`,
        request,
      })
    ).body;
  }

  @Get(':id/prompt-versions')
  @Authenticated('assistants:read')
  @ApiOperation({ summary: 'All prompt versions (creator only)' })
  async promptVersions(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    return (
      await this.assistants.json(caller, { path: `/assistants/${id}/prompt-versions`, request })
    ).body;
  }

  @Post(':id/prompt-versions')
  @Authenticated('assistants:write')
  @ApiOperation({ summary: 'A new prompt version (active unless `activate: false`)' })
  async addPromptVersion(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Body() body: AddPromptVersionDto,
    @Req() request: Request,
  ) {
    const path = `/assistants/${id}/prompt-versions`;
    return (await this.assistants.json(caller, { method: 'POST', path, body, request })).body;
  }

  @Post(':id/prompt-versions/:versionId/activate')
  @HttpCode(HttpStatus.OK)
  @Authenticated('assistants:write')
  @ApiOperation({ summary: 'Activate a prompt version (rollback)' })
  async activatePrompt(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Param('versionId', ParseId) versionId: string,
    @Body() body: ActivateVersionDto,
    @Req() request: Request,
  ) {
    const path = `/assistants/${id}/prompt-versions/${versionId}/activate`;
    return (await this.assistants.json(caller, { method: 'POST', path, body, request })).body;
  }

  @Get(':id/model-config-versions')
  @Authenticated('assistants:read')
  @ApiOperation({ summary: 'All model-config versions (creator only)' })
  async modelConfigVersions(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    return (
      await this.assistants.json(caller, {
        path: `/assistants/${id}/model-config-versions`,
        request,
      })
    ).body;
  }

  @Post(':id/model-config-versions')
  @Authenticated('assistants:write')
  @ApiOperation({ summary: 'A new model-config version (active unless `activate: false`)' })
  async addModelConfigVersion(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Body() body: AddModelConfigVersionDto,
    @Req() request: Request,
  ) {
    const path = `/assistants/${id}/model-config-versions`;
    return (await this.assistants.json(caller, { method: 'POST', path, body, request })).body;
  }

  @Post(':id/model-config-versions/:versionId/activate')
  @HttpCode(HttpStatus.OK)
  @Authenticated('assistants:write')
  @ApiOperation({ summary: 'Activate a model-config version (rollback)' })
  async activateModelConfig(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Param('versionId', ParseId) versionId: string,
    @Body() body: ActivateVersionDto,
    @Req() request: Request,
  ) {
    const path = `/assistants/${id}/model-config-versions/${versionId}/activate`;
    return (await this.assistants.json(caller, { method: 'POST', path, body, request })).body;
  }
}
