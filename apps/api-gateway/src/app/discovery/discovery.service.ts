import { Injectable } from '@nestjs/common';
import { ResourceNotFound } from '../shared/api-errors';
import { KubeObject } from '../shared/api-reply';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.document';

@Injectable()
export class DiscoveryService {
  versions(): KubeObject {
    return apiVersions();
  }

  groups(): KubeObject {
    return apiGroupList();
  }

  group(name: string): KubeObject {
    const group = apiGroup(name);
    if (!group) throw new ResourceNotFound({ plural: 'apigroups', group: '' }, name);
    return group;
  }

  resources(groupVersion: string): KubeObject {
    const list = apiResourceList(groupVersion);
    if (!list) throw new ResourceNotFound({ plural: 'apiresourcelists', group: '' }, groupVersion);
    return list;
  }

  version(): KubeObject {
    return versionInfo();
  }
}
