import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { Access } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { ApiStream } from '../shared/api-reply';
import { ClientGone, QueryParams } from '../shared/request-context';
import { LogsService } from './logs.service';

@Controller()
@UseGuards(AccessGuard)
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @Get('api/v1/namespaces/:namespace/pods/:name/log')
  @Access('get', 'pods/log')
  logsOf(@Param('namespace') namespace: string, @Param('name') name: string, @QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiStream> {
    return this.logs.logs(namespace, name, query, gone);
  }
}
