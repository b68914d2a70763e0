/**
 * Pod and node addresses of one fake node. Pods get `10.244.<cluster index>.<n>` (n = 1…254),
 * then `10.245.<cluster index>.<n>` and so on up to 10.255: the lowest address no pod on the
 * node holds, as an IPAM would hand them out, so a fleet started the same way gets the same
 * addresses. The node itself is `10.240.<cluster index>.1`.
 */
const PER_BLOCK = 254;
const BLOCKS = 12;

export function nodeAddress(clusterIndex: number): string {
  return `10.240.${String(checkIndex(clusterIndex))}.1`;
}

export function podAddress(clusterIndex: number, slot: number): string {
  if (!Number.isInteger(slot) || slot < 0 || slot >= PER_BLOCK * BLOCKS) throw new Error(`pod address slot ${String(slot)} is out of range`);
  return `10.${String(244 + Math.floor(slot / PER_BLOCK))}.${String(checkIndex(clusterIndex))}.${String((slot % PER_BLOCK) + 1)}`;
}

function checkIndex(clusterIndex: number): number {
  if (!Number.isInteger(clusterIndex) || clusterIndex < 0 || clusterIndex > 255) throw new Error(`cluster index ${String(clusterIndex)} has no address range`);
  return clusterIndex;
}

/**
 * Hands out pod addresses. Addresses pods already report are passed in on each call (the
 * informer knows them); the pool itself only remembers what it handed out that pods do not
 * report yet, so two pods started together never share one.
 */
export class PodAddressPool {
  readonly #clusterIndex: number;
  readonly #assigned = new Map<string, string>();

  constructor(clusterIndex: number) {
    this.#clusterIndex = checkIndex(clusterIndex);
  }

  /** The address of the pod with this key: the one handed out before, else the lowest free. */
  assign(key: string, inUse: ReadonlySet<string>): string {
    const assigned = this.#assigned.get(key);
    if (assigned) return assigned;
    const taken = new Set([...inUse, ...this.#assigned.values()]);
    for (let slot = 0; slot < PER_BLOCK * BLOCKS; slot++) {
      const address = podAddress(this.#clusterIndex, slot);
      if (!taken.has(address)) {
        this.#assigned.set(key, address);
        return address;
      }
    }
    throw new Error(`no pod address left on node ${String(this.#clusterIndex)}`);
  }

  release(key: string): void {
    this.#assigned.delete(key);
  }
}
