import type { NamedObject } from '../fakes/fake-controller.ts';
import { nodeAddress } from './addresses.ts';

interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface NodeStatus {
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  conditions?: NodeCondition[];
  addresses?: { type: string; address: string }[];
  nodeInfo?: Record<string, string>;
}

export interface Node extends NamedObject {
  metadata: NamedObject['metadata'] & { labels?: Record<string, string> };
  status?: NodeStatus;
}

// Enough for any test fleet; nothing schedules against it except our own binding.
const RESOURCES = { cpu: '64', memory: '256Gi', pods: '512', 'ephemeral-storage': '1Ti' };

const CONDITIONS: readonly (readonly [type: string, status: string, reason: string, message: string])[] = [
  ['Ready', 'True', 'KubeletReady', 'testkit fake kubelet is posting ready status'],
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
];

export function nodeStatus(nodeName: string, clusterIndex: number, now: string): NodeStatus {
  return {
    capacity: RESOURCES,
    allocatable: RESOURCES,
    conditions: CONDITIONS.map(([type, status, reason, message]) => ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now })),
    addresses: [
      { type: 'InternalIP', address: nodeAddress(clusterIndex) },
      { type: 'Hostname', address: nodeName },
    ],
    nodeInfo: {
      kubeletVersion: 'v1.20.2',
      kubeProxyVersion: 'v1.20.2',
      containerRuntimeVersion: 'testkit://fake',
      operatingSystem: 'linux',
      architecture: 'amd64',
      osImage: 'promfleet testkit',
      kernelVersion: '',
      machineID: '',
      systemUUID: '',
      bootID: '',
    },
  };
}

/** A Node object for registration: labelled like a kubelet labels its node. */
export function nodeObject(nodeName: string, clusterName: string, clusterIndex: number, now: string): Node & { apiVersion: string; kind: string } {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName,
      labels: {
        'kubernetes.io/hostname': nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'testkit.promfleet.io/cluster': clusterName,
      },
    },
    status: nodeStatus(nodeName, clusterIndex, now),
  };
}

/** Whether the node reports Ready and the capacity and addresses the fake kubelet registers. */
export function nodeStatusMatches(current: NodeStatus | undefined, desired: NodeStatus): boolean {
  if (!current) return false;
  const conditions = (status: NodeStatus): string => JSON.stringify((status.conditions ?? []).map((c) => [c.type, c.status]).sort());
  return (
    conditions(current) === conditions(desired) &&
    JSON.stringify(current.addresses) === JSON.stringify(desired.addresses) &&
    sameResources(current.capacity, desired.capacity) &&
    sameResources(current.allocatable, desired.allocatable)
  );
}

function sameResources(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const entries = (r: Record<string, string> | undefined): string => JSON.stringify(Object.entries(r ?? {}).sort());
  return entries(a) === entries(b);
}
