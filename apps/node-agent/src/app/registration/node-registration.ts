import { randomUUID } from 'node:crypto';
import type { NodeHeartbeat } from '@berth/contracts';
import type { NodeFacts } from '../runtime/node-host';
import type { Taint } from './node-labels';

export interface RegistrationSettings {
  node: string;
  address: string;
  labels: Record<string, string>;
  taints: Taint[];
  reserved: { cpuMilli: number; memoryBytes: number };
}

/** Allocatable = capacity minus what is reserved for the system, never below zero (kubelet's rule). */
export function allocatable(capacity: { cpuMilli: number; memoryBytes: number }, reserved: { cpuMilli: number; memoryBytes: number }) {
  return { cpuMilli: Math.max(0, capacity.cpuMilli - reserved.cpuMilli), memoryBytes: Math.max(0, capacity.memoryBytes - reserved.memoryBytes) };
}

/** Who this node is, as every heartbeat says it; the bootId changes with each agent start. */
export class NodeRegistration {
  private seq = 0;

  constructor(
    private readonly settings: RegistrationSettings,
    private readonly facts: NodeFacts,
    readonly bootId: string = randomUUID(),
  ) {}

  heartbeat(replicas: number, now = Date.now()): NodeHeartbeat {
    const { node, address, taints, reserved } = this.settings;
    const capacity = { cpuMilli: this.facts.cpuMilli, memoryBytes: this.facts.memoryBytes };
    return {
      node,
      bootId: this.bootId,
      seq: this.seq++,
      sentAt: now,
      address,
      // Kubelet's well-known labels, which configured labels cannot override.
      labels: { ...this.settings.labels, 'kubernetes.io/hostname': node, 'kubernetes.io/os': this.facts.os, 'kubernetes.io/arch': this.facts.arch },
      taints,
      capacity,
      allocatable: allocatable(capacity, reserved),
      info: this.facts.info,
      replicas,
    };
  }
}
