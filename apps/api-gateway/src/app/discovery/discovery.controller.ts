import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { Authenticated, Public } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { KubeObject } from '../shared/api-reply';
import { DiscoveryService } from './discovery.service';

@Controller()
@UseGuards(AccessGuard)
export class DiscoveryController {
  constructor(private readonly discovery: DiscoveryService) {}

  @Get('version')
  @Public()
  version(): KubeObject {
    return this.discovery.version();
  }

  @Get('api')
  @Authenticated()
  versions(): KubeObject {
    return this.discovery.versions();
  }

  @Get('api/v1')
  @Authenticated()
  core(): KubeObject {
    return this.discovery.resources('v1');
  }

  @Get('apis')
  @Authenticated()
  groups(): KubeObject {
    return this.discovery.groups();
  }

  @Get('apis/:group')
  @Authenticated()
  group(@Param('group') group: string): KubeObject {
    return this.discovery.group(group);
  }

  @Get('apis/:group/:version')
  @Authenticated()
  resources(@Param('group') group: string, @Param('version') version: string): KubeObject {
    return this.discovery.resources(`${group}/${version}`);
  }
}
