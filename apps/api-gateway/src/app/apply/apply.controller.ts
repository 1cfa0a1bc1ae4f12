import { Controller, Post, Res, UseGuards } from '@nestjs/common';
import { Authenticated } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { ApiReply } from '../shared/api-reply';
import { ReplyStatus } from '../shared/api-reply.interceptor';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller, QueryParams, RawBody, RequestCaller } from '../shared/request-context';
import { ApplyResult, ApplyService } from './apply.service';

@Controller()
@UseGuards(AccessGuard)
export class ApplyController {
  constructor(private readonly applier: ApplyService) {}

  /** Each object is authorized on its own (create or patch in its namespace). */
  @Post('apply')
  @Authenticated()
  @ReplyStatus()
  apply(@RequestCaller() caller: Caller, @RawBody() body: RequestBody, @QueryParams() query: Record<string, string>, @Res() _reply: unknown): Promise<ApiReply<ApplyResult>> {
    return this.applier.apply(caller, body, query);
  }
}
