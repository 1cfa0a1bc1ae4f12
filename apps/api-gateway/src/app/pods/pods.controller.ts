import { Controller, Delete, Get, Param, UseGuards } from '@nestjs/common';
import { Access } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { Caller, ClientGone, QueryParams, RequestCaller } from '../shared/request-context';
import { PodsService } from './pods.service';

const BASE = 'api/v1/namespaces/:namespace/pods';

@Controller()
@UseGuards(AccessGuard)
export class PodsController {
  constructor(private readonly pods: PodsService) {}

  @Get('api/v1/pods')
  @Access('list', 'pods')
  listAll(@QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.pods.list(undefined, query, gone);
  }

  @Get(BASE)
  @Access('list', 'pods')
  list(@Param('namespace') namespace: string, @QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.pods.list(namespace, query, gone);
  }

  @Get(`${BASE}/:name`)
  @Access('get', 'pods')
  get(@Param('namespace') namespace: string, @Param('name') name: string, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.pods.get(namespace, name, query);
  }

  @Delete(`${BASE}/:name`)
  @Access('delete', 'pods')
  delete(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string): Promise<ApiReply<KubeObject>> {
    return this.pods.delete(caller, namespace, name);
  }
}
