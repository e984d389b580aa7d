import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { RateLimit } from '../rate-limits/rate-limit.guard.js';
import { DocumentContentsLookup } from './document-contents.js';
import { ContentsBody } from './search.dto.js';
import { WorkspaceKeyAccess } from './workspace-key-access.js';

/**
 * `contents.fetch` (**key**): the documents of `ids` in the `X-Workspace-ID` workspace, in the
 * order asked. Ids of other workspaces, or unknown ones, are left out silently, as the original
 * filtered by workspace: the answer does not tell them apart. Answered from an in-process cache
 * the `documents` projection keeps exact (`DocumentContentsLookup`).
 */
@ApiTags('Search')
@Controller('v1')
export class ContentsController {
  constructor(
    private readonly access: WorkspaceKeyAccess,
    private readonly documents: DocumentContentsLookup,
  ) {}

  @ApiOperation({ summary: 'Fetch documents by id (contents.fetch)' })
  @Post('contents')
  @HttpCode(200)
  @RateLimit('contents')
  @ReadsFrom('workspaces', 'documents')
  async fetch(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Body() body: ContentsBody) {
    const scope = await this.access.require(principal, request);
    const documents = await this.documents.contents(scope.workspaceId, body.ids);
    return {
      documents: documents.map(({ id, path, title, description, content, metadata, committedAt }) => ({
        id,
        path,
        title,
        description,
        content,
        metadata,
        committedAt,
      })),
      requestId: request.headers['x-request-id'],
    };
  }
}
