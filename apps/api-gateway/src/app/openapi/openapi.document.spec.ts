import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ApplyController } from '../apply/apply.controller';
import { ACCESS_RULE, PUBLIC_ROUTE } from '../auth/access.decorator';
import { DeploymentsController } from '../deployments/deployments.controller';
import { DiscoveryController } from '../discovery/discovery.controller';
import { EventsController } from '../events/events.controller';
import { HpasController } from '../hpas/hpas.controller';
import { LogsController } from '../logs/logs.controller';
import { ResourceMetricsController } from '../metrics/metrics.controller';
import { NamespacesController } from '../namespaces/namespaces.controller';
import { NodesController } from '../nodes/nodes.controller';
import { PodsController } from '../pods/pods.controller';
import { ServicesController } from '../services/services.controller';
import { API_ROUTES, openApiDocument } from './openapi.document';
import { OpenApiController } from './openapi.controller';

const CONTROLLERS = [
  ApplyController,
  DeploymentsController,
  DiscoveryController,
  EventsController,
  HpasController,
  LogsController,
  ResourceMetricsController,
  NamespacesController,
  NodesController,
  OpenApiController,
  PodsController,
  ServicesController,
];

/** Every route the controllers declare, as `METHOD /path/{param}`, with its handler. */
function controllerRoutes(): { route: string; handler: object }[] {
  return CONTROLLERS.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => (controller.prototype as unknown as Record<string, object>)[name])
      .filter((handler) => Reflect.getMetadata(PATH_METADATA, handler) !== undefined)
      .map((handler) => {
        const path = String(Reflect.getMetadata(PATH_METADATA, handler)).replace(/:(\w+)/g, '{$1}');
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        return { route: `${method} /${path}`, handler };
      }),
  );
}

describe('the OpenAPI document', () => {
  it('describes exactly the routes the controllers serve', () => {
    const documented = API_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(controllerRoutes().map((r) => r.route).sort()).toEqual(documented);
  });

  it('leaves no route without an access rule', () => {
    for (const { route, handler } of controllerRoutes()) {
      const declared = Reflect.getMetadata(ACCESS_RULE, handler) !== undefined || Reflect.getMetadata(PUBLIC_ROUTE, handler) === true;
      expect([route, declared]).toEqual([route, true]);
    }
  });

  it('is OpenAPI 3 with a response schema for each operation', () => {
    const document = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(document.openapi).toMatch(/^3\./);
    const operations = Object.values(document.paths).flatMap((p) => Object.values(p));
    expect(operations).toHaveLength(API_ROUTES.length);
    for (const operation of operations) expect(Object.keys(operation.responses)).toContain('default');
  });
});
