import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { Status } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller, ClientGone, QueryParams, RawBody, RequestCaller } from '../shared/request-context';
import { DeploymentHistory, DeploymentsService } from './deployments.service';

const BASE = 'apis/apps/v1/namespaces/:namespace/deployments';

@Controller()
@UseGuards(AccessGuard)
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Get('apis/apps/v1/deployments')
  @Access('list', 'deployments', 'apps')
  listAll(@QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.deployments.list(undefined, query, gone);
  }

  @Get(BASE)
  @Access('list', 'deployments', 'apps')
  list(@Param('namespace') namespace: string, @QueryParams() query: Record<string, string>, @ClientGone() gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.deployments.list(namespace, query, gone);
  }

  @Post(BASE)
  @Access('create', 'deployments', 'apps')
  create(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @RawBody() body: RequestBody, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.deployments.create(caller, namespace, body, query);
  }

  @Get(`${BASE}/:name`)
  @Access('get', 'deployments', 'apps')
  get(@Param('namespace') namespace: string, @Param('name') name: string, @QueryParams() query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.deployments.get(namespace, name, query);
  }

  @Put(`${BASE}/:name`)
  @Access('update', 'deployments', 'apps')
  replace(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.deployments.replace(caller, namespace, name, body);
  }

  @Patch(`${BASE}/:name`)
  @Access('patch', 'deployments', 'apps')
  patch(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.deployments.patch(caller, namespace, name, body);
  }

  @Delete(`${BASE}/:name`)
  @Access('delete', 'deployments', 'apps')
  delete(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string): Promise<Status> {
    return this.deployments.delete(caller, namespace, name);
  }

  @Get(`${BASE}/:name/status`)
  @Access('get', 'deployments/status', 'apps')
  status(@Param('namespace') namespace: string, @Param('name') name: string): Promise<ApiReply<KubeObject>> {
    return this.deployments.status(namespace, name);
  }

  @Get(`${BASE}/:name/scale`)
  @Access('get', 'deployments/scale', 'apps')
  getScale(@Param('namespace') namespace: string, @Param('name') name: string): Promise<ApiReply<KubeObject>> {
    return this.deployments.getScale(namespace, name);
  }

  @Put(`${BASE}/:name/scale`)
  @Access('update', 'deployments/scale', 'apps')
  replaceScale(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.deployments.replaceScale(caller, namespace, name, body);
  }

  @Patch(`${BASE}/:name/scale`)
  @Access('patch', 'deployments/scale', 'apps')
  patchScale(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.deployments.patchScale(caller, namespace, name, body);
  }

  @Get(`${BASE}/:name/history`)
  @Access('get', 'deployments', 'apps')
  history(@Param('namespace') namespace: string, @Param('name') name: string): Promise<DeploymentHistory> {
    return this.deployments.history(namespace, name);
  }

  @Post(`${BASE}/:name/rollback`)
  @HttpCode(200)
  @Access('create', 'deployments/rollback', 'apps')
  rollback(@RequestCaller() caller: Caller, @Param('namespace') namespace: string, @Param('name') name: string, @RawBody() body: RequestBody): Promise<ApiReply<KubeObject>> {
    return this.deployments.rollback(caller, namespace, name, body);
  }
}
