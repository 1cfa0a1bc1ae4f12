import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { Access } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { ClientGone, QueryParams } from '../shared/request-context';
import { EventsService } from './events.service';

@Controller()
@UseGuards(AccessGuard)
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get('api/v1/events')
  @Access('list', 'events')
  listAll(@QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.events.list(undefined, query, gone);
  }

  @Get('api/v1/namespaces/:namespace/events')
  @Access('list', 'events')
  list(@Param('namespace') namespace: string, @QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.events.list(namespace, query, gone);
  }

  @Get('api/v1/namespaces/:namespace/events/:name')
  @Access('get', 'events')
  get(@Param('namespace') namespace: string, @Param('name') name: string, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.events.get(namespace, name, query);
  }
}
