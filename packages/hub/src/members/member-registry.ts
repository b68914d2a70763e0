import { MemberConnection, type MemberConnectionOptions } from './member-connection.ts';
import { RollCall } from './roll-call.ts';

export interface MemberRegistryOptions {
  /** The fleet's roll call went out: a member stopped answering (metrics, logs). */
  readonly onRollCall?: (() => void) | undefined;
}

/**
 * The live connections to members, one per MemberCluster with a usable credential, and the
 * fleet's roll call among them.
 */
export class MemberRegistry {
  readonly #connections = new Map<string, MemberConnection>();
  readonly #rollCall: RollCall;

  constructor(options: MemberRegistryOptions = {}) {
    this.#rollCall = new RollCall({ now: Date.now, members: () => this.#connections.values(), onRollCall: options.onRollCall });
  }

  get(name: string): MemberConnection | undefined {
    return this.#connections.get(name);
  }

  all(): MemberConnection[] {
    return [...this.#connections.values()];
  }

  /**
   * The member's connection for this credential: the existing one, or a new one replacing a
   * connection built from an older credential (a rotated token is picked up without a restart).
   */
  async ensure(options: MemberConnectionOptions): Promise<MemberConnection> {
    const existing = this.#connections.get(options.name);
    if (existing?.fingerprint === options.fingerprint) return existing;
    const connection = new MemberConnection({
      ...options,
      onLost: (probeStartedAt) => {
        this.#rollCall.lost(probeStartedAt);
      },
    });
    this.#connections.set(options.name, connection);
    connection.start();
    await existing?.stop();
    return connection;
  }

  async remove(name: string): Promise<void> {
    const existing = this.#connections.get(name);
    this.#connections.delete(name);
    await existing?.stop();
  }

  async stopAll(): Promise<void> {
    const all = this.all();
    this.#connections.clear();
    await Promise.all(all.map((connection) => connection.stop()));
  }
}
