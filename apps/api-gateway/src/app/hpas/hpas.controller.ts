import { Controller, Delete, Get, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { Status } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller, ClientGone, QueryParams, RawBody, RequestCaller } from '../shared/request-context';
import { HpasService } from './hpas.service';

const BASE = 'apis/autoscaling/v2/namespaces/:namespace/horizontalpodautoscalers';

@Controller()
@UseGuards(AccessGuard)
export class HpasController {
  constructor(private readonly hpas: HpasService) {}

  @Get('apis/autoscaling/v2/horizontalpodautoscalers')
  @Access('list', 'horizontalpodautoscalers', 'autoscaling')
  listAll(@QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.hpas.list(undefined, query, gone);
  }

  @Get(BASE)
  @Access('list', 'horizontalpodautoscalers', 'autoscaling')
  list(@Param('namespace') namespace: string, @QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.hpas.list(namespace, query, gone);
  }

  @Post(BASE)
  @Access('create', 'horizontalpodautoscalers', 'autoscaling')
  create(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @RawBody() body: RequestBody, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.hpas.create(caller, namespace, body, query);
  }

  @Get(`${BASE}/:name`)
  @Access('get', 'horizontalpodautoscalers', 'autoscaling')
  get(@Param('namespace') namespace: string, @Param('name') name: string, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.hpas.get(namespace, name, query);
  }

  @Put(`${BASE}/:name`)
  @Access('update', 'horizontalpodautoscalers', 'autoscaling')
  replace(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.hpas.replace(caller, namespace, name, body);
  }

  @Patch(`${BASE}/:name`)
  @Access('patch', 'horizontalpodautoscalers', 'autoscaling')
  patch(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.hpas.patch(caller, namespace, name, body);
  }

  @Delete(`${BASE}/:name`)
  @Access('delete', 'horizontalpodautoscalers', 'autoscaling')
  delete(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string): Promise<Status> {
    return this.hpas.delete(caller, namespace, name);
  }
}
