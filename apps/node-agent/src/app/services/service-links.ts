import type { NodeService } from '@berth/contracts';

/** `my-web` -> `MY_WEB`: how Kubernetes names a service's environment variables. */
export function serviceEnvName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/**
 * Kubernetes' service environment variables for the services of `namespace`, pointing at this
 * node's proxy: `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` (the first port),
 * `<NAME>_SERVICE_PORT_<PORT_NAME>`, and the Docker-links forms `<NAME>_PORT`,
 * `<NAME>_PORT_<port>_TCP[_PROTO|_PORT|_ADDR]`. Variable names keep the service's own `port`
 * (so clients written for Kubernetes find them); values are `host` and the port's cluster port,
 * where the proxy listens. Only TCP ports with a cluster port count (the proxy forwards TCP);
 * a service without one gets no variables.
 */
export function serviceLinkEnv(services: readonly NodeService[], namespace: string, host: string): Record<string, string> {
  const env: Record<string, string> = {};
  const own = services.filter((s) => s.namespace === namespace).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const service of own) {
    const ports = service.ports.filter((p): p is typeof p & { clusterPort: number } => p.protocol === 'TCP' && p.clusterPort !== undefined);
    if (ports.length === 0) continue;
    const name = serviceEnvName(service.name);
    const first = ports[0];
    env[`${name}_SERVICE_HOST`] = host;
    env[`${name}_SERVICE_PORT`] = String(first.clusterPort);
    for (const port of ports) if (port.name) env[`${name}_SERVICE_PORT_${serviceEnvName(port.name)}`] = String(port.clusterPort);
    env[`${name}_PORT`] = `tcp://${host}:${first.clusterPort}`;
    for (const port of ports) {
      const prefix = `${name}_PORT_${port.port}_TCP`;
      env[prefix] = `tcp://${host}:${port.clusterPort}`;
      env[`${prefix}_PROTO`] = 'tcp';
      env[`${prefix}_PORT`] = String(port.clusterPort);
      env[`${prefix}_ADDR`] = host;
    }
  }
  return env;
}
