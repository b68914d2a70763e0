import { readdir, readFile, readlink } from 'node:fs/promises';

/** This process's established TCP connections to `port` on any address, read from /proc (Linux). */
export async function establishedConnections(port: number): Promise<number> {
  const sockets = new Set<string>();
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) sockets.add(inode);
  }
  let count = 0;
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const [, , remote = '', state = '', , , , , , inode = ''] = line.trim().split(/\s+/);
      // State 01 is ESTABLISHED; the remote port is the hex after the address's colon.
      if (state === '01' && Number.parseInt(remote.split(':')[1] ?? '', 16) === port && sockets.has(inode)) count += 1;
    }
  }
  return count;
}
