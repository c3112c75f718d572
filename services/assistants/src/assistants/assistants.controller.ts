/** The assistants API (internal; the gateway exposes it to users). Thin: parse, call, return. */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import { CallerId, InternalCallerGuard } from '@lab/platform/http';
import { AssistantsService } from './assistants.service';
import {
  CreateAssistantDto,
  PageQueryDto,
  SearchQueryDto,
  ActivateVersionDto,
  AddModelConfigVersionDto,
  AddPromptVersionDto,
  UpdateAssistantDto,
} from '@lab/contracts/dto';

export const ParseId = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ApiException(
      HttpStatus.BAD_REQUEST,
      'invalid_id',
      'The id in the path is not a valid UUID',
    ),
});

@Controller('assistants')
@UseGuards(InternalCallerGuard)
export class AssistantsController {
  constructor(private readonly assistants: AssistantsService) {}

  @Post()
  create(@CallerId() callerId: string, @Body() draft: CreateAssistantDto) {
    return this.assistants.create(callerId, draft);
  }

  @Get('showcased')
  lounge(@CallerId() callerId: string, @Query() query: PageQueryDto) {
    return this.assistants.listShowcased(callerId, query.cursor, query.limit);
  }

  @Get('mine')
  mine(@CallerId() callerId: string, @Query() query: PageQueryDto) {
    return this.assistants.listMine(callerId, query.cursor, query.limit);
  }

  @Get('search')
  search(@CallerId() callerId: string, @Query() query: SearchQueryDto) {
    return this.assistants.search(callerId, query.q, query.cursor, query.limit);
  }

  @Get('by-code/:code')
  byCode(@CallerId() callerId: string, @Param('code') code: string) {
    return this.assistants.getByCode(callerId, code);
  }

  @Get(':id')
  get(@CallerId() callerId: string, @Param('id', ParseId) id: string) {
    return this.assistants.get(callerId, id);
  }

  @Patch(':id')
  update(
    @CallerId() callerId: string,
    @Param('id', ParseId) id: string,
    @Body() change: UpdateAssistantDto,
  ) {
    return this.assistants.update(callerId, id, change);
  }

  @Post(':id/deactivate')
  @HttpCode(HttpStatus.OK)
  deactivate(
    @CallerId() callerId: string,
    @Param('id', ParseId) id: string,
    @Body() body: ActivateVersionDto,
  ) {
    return this.assistants.deactivate(callerId, id, body.expectedVersion);
  }

  @Get(':id/prompt-versions')
  promptVersions(@CallerId() callerId: string, @Param('id', ParseId) id: string) {
    return this.assistants.listPromptVersions(callerId, id);
  }

  @Post(':id/prompt-versions')
  addPromptVersion(
    @CallerId() callerId: string,
    @Param('id', ParseId) id: string,
    @Body() body: AddPromptVersionDto,
  ) {
    return this.assistants.addPromptVersion(callerId, id, body);
  }

  @Post(':id/prompt-versions/:versionId/activate')
  @HttpCode(HttpStatus.OK)
  activatePrompt(
    @CallerId() callerId: string,
    @Param('id', ParseId) id: string,
    @Param('versionId', ParseId) versionId: string,
    @Body() body: ActivateVersionDto,
  ) {
    return this.assistants.activateVersion(callerId, id, 'prompt', versionId, body.expectedVersion);
  }

  @Get(':id/model-config-versions')
  modelConfigVersions(@CallerId() callerId: string, @Param('id', ParseId) id: string) {
    return this.assistants.listModelConfigVersions(callerId, id);
  }

  @Post(':id/model-config-versions')
  addModelConfigVersion(
    @CallerId() callerId: string,
    @Param('id', ParseId) id: string,
    @Body() body: AddModelConfigVersionDto,
  ) {
    return this.assistants.addModelConfigVersion(callerId, id, body);
  }

  @Post(':id/model-config-versions/:versionId/activate')
  @HttpCode(HttpStatus.OK)
  activateModelConfig(
    @CallerId() callerId: string,
    @Param('id', ParseId) id: string,
    @Param('versionId', ParseId) versionId: string,
    @Body() body: ActivateVersionDto,
  ) {
    return this.assistants.activateVersion(
      callerId,
      id,
      'model_config',
      versionId,
      body.expectedVersion,
    );
  }
}
