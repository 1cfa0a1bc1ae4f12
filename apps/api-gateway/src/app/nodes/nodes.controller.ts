import { Controller, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { Status } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller, ClientGone, QueryParams, RawBody, RequestCaller } from '../shared/request-context';
import { NodesService } from './nodes.service';

const CLUSTER = { clusterScoped: true };

@Controller()
@UseGuards(AccessGuard)
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Get('api/v1/nodes')
  @Access('list', 'nodes', '', CLUSTER)
  list(@QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.nodes.list(query, gone);
  }

  @Get('api/v1/nodes/:name')
  @Access('get', 'nodes', '', CLUSTER)
  get(@Param('name') name: string, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.nodes.get(name, query);
  }

  @Patch('api/v1/nodes/:name')
  @Access('patch', 'nodes', '', CLUSTER)
  patch(@RequestCaller() caller: Caller, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.nodes.patch(caller, name, body);
  }

  @Post('api/v1/nodes/:name/drain')
  @HttpCode(202)
  @Access('create', 'nodes/drain', '', CLUSTER)
  drain(@RequestCaller() caller: Caller, @Param('name') name: string): Promise<Status> {
    return this.nodes.drain(caller, name);
  }
}
