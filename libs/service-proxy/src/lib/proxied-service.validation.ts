import { isIP } from 'net';
import { InvalidProxiedService } from './proxy.errors';
import { ProxiedService } from './proxy.types';

const isPort = (port: unknown): boolean => Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535;

/** Throws InvalidProxiedService naming every bad field by path; the caller applies nothing then. */
export function validateProxiedServices(services: readonly ProxiedService[]): void {
  const problems: string[] = [];
  const keys = new Set<string>();
  services.forEach((service, i) => {
    const at = `services[${i}]`;
    if (typeof service.key !== 'string' || service.key.length === 0) problems.push(`${at}.key: Required value`);
    else if (keys.has(service.key)) problems.push(`${at}.key: Duplicate value "${service.key}"`);
    else keys.add(service.key);
    if (service.appProtocol !== undefined && service.appProtocol !== 'http') problems.push(`${at}.appProtocol: Unsupported value "${String(service.appProtocol)}"`);
    if (service.balancing !== undefined && service.balancing !== 'round-robin' && service.balancing !== 'least-connections') {
      problems.push(`${at}.balancing: Unsupported value "${String(service.balancing)}"`);
    }
    if (!Array.isArray(service.listeners)) problems.push(`${at}.listeners: Required value`);
    else {
      service.listeners.forEach((l, j) => {
        if (isIP(l.address) === 0) problems.push(`${at}.listeners[${j}].address: Invalid IP "${String(l.address)}"`);
        if (!isPort(l.port)) problems.push(`${at}.listeners[${j}].port: Invalid port ${String(l.port)}`);
        if (l.protocol !== 'TCP') problems.push(`${at}.listeners[${j}].protocol: Unsupported value "${String(l.protocol)}"`);
      });
    }
    if (!Array.isArray(service.endpoints)) problems.push(`${at}.endpoints: Required value`);
    else {
      const ids = new Set<string>();
      service.endpoints.forEach((e, j) => {
        if (typeof e.id !== 'string' || e.id.length === 0) problems.push(`${at}.endpoints[${j}].id: Required value`);
        else if (ids.has(e.id)) problems.push(`${at}.endpoints[${j}].id: Duplicate value "${e.id}"`);
        else ids.add(e.id);
        if (typeof e.address !== 'string' || e.address.length === 0) problems.push(`${at}.endpoints[${j}].address: Required value`);
        if (!isPort(e.port)) problems.push(`${at}.endpoints[${j}].port: Invalid port ${String(e.port)}`);
      });
    }
  });
  if (problems.length > 0) throw new InvalidProxiedService(problems);
}
