import { spawnSync } from 'node:child_process';

const BINARY = 'prometheus-blackbox-exporter';

function onPath(): boolean {
  return spawnSync('sh', ['-c', `command -v ${BINARY}`]).status === 0;
}

/**
 * The Debian blackbox exporter, installed when missing and running as root. Undefined, with the reason
 * printed, only when it cannot be installed.
 */
export function blackboxExporter(): string | undefined {
  if (onPath()) return BINARY;
  if (process.getuid?.() === 0) {
    const r = spawnSync('sh', ['-c', `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${BINARY}`], { encoding: 'utf8', timeout: 300_000 });
    if (r.status === 0 && onPath()) return BINARY;
  }
  console.warn(`${BINARY} is not installed and could not be installed; run: sudo apt-get install -y ${BINARY}`);
  return undefined;
}
