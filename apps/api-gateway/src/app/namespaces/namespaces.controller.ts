import { Controller, Delete, Get, Param, Post, UseGuards } from '@nestjs/common';
import { Status } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller, ClientGone, QueryParams, RawBody, RequestCaller } from '../shared/request-context';
import { NamespacesService } from './namespaces.service';

const CLUSTER = { clusterScoped: true };

@Controller()
@UseGuards(AccessGuard)
export class NamespacesController {
  constructor(private readonly namespaces: NamespacesService) {}

  @Get('api/v1/namespaces')
  @Access('list', 'namespaces', '', CLUSTER)
  list(@QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.namespaces.list(undefined, query, gone);
  }

  @Post('api/v1/namespaces')
  @Access('create', 'namespaces', '', CLUSTER)
  create(@RequestCaller() caller: Caller, @RawBody() body: RequestBody, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.namespaces.create(caller, undefined, body, query);
  }

  @Get('api/v1/namespaces/:name')
  @Access('get', 'namespaces', '', CLUSTER)
  get(@Param('name') name: string, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.namespaces.get(undefined, name, query);
  }

  @Delete('api/v1/namespaces/:name')
  @Access('delete', 'namespaces', '', CLUSTER)
  delete(@RequestCaller() caller: Caller, @Param('name') name: string): Promise<Status> {
    return this.namespaces.delete(caller, undefined, name);
  }
}
