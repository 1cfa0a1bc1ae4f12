import { Controller, Delete, Get, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { Status } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller, ClientGone, QueryParams, RawBody, RequestCaller } from '../shared/request-context';
import { ServicesService } from './services.service';

const BASE = 'api/v1/namespaces/:namespace/services';

@Controller()
@UseGuards(AccessGuard)
export class ServicesController {
  constructor(private readonly services: ServicesService) {}

  @Get('api/v1/services')
  @Access('list', 'services')
  listAll(@QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.services.list(undefined, query, gone);
  }

  @Get(BASE)
  @Access('list', 'services')
  list(@Param('namespace') namespace: string, @QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.services.list(namespace, query, gone);
  }

  @Post(BASE)
  @Access('create', 'services')
  create(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @RawBody() body: RequestBody, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.services.create(caller, namespace, body, query);
  }

  @Get(`${BASE}/:name`)
  @Access('get', 'services')
  get(@Param('namespace') namespace: string, @Param('name') name: string, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.services.get(namespace, name, query);
  }

  @Put(`${BASE}/:name`)
  @Access('update', 'services')
  replace(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.services.replace(caller, namespace, name, body);
  }

  @Patch(`${BASE}/:name`)
  @Access('patch', 'services')
  patch(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.services.patch(caller, namespace, name, body);
  }

  @Delete(`${BASE}/:name`)
  @Access('delete', 'services')
  delete(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string): Promise<Status> {
    return this.services.delete(caller, namespace, name);
  }
}
