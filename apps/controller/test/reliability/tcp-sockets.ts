// TCP sockets on given local ports, read from /proc/net/tcp: what is left open after a restart
// (established connections nobody uses, half-closed ones nobody closes).

import { readFileSync } from 'node:fs';

const STATES: Readonly<Record<string, string>> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/** Sockets with either end on one of the ports, counted by state (LISTEN left out). */
export function tcpStates(ports: readonly number[]): Record<string, number> {
  const wanted = new Set(ports);
  const counts: Record<string, number> = {};
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, remote, state] = [fields[1], fields[2], fields[3]];
      if (local === undefined || remote === undefined || state === undefined) continue;
      const port = (address: string) => Number.parseInt(address.split(':')[1] ?? '', 16);
      const name = STATES[state] ?? state;
      if (name === 'LISTEN') continue;
      if (wanted.has(port(local)) || wanted.has(port(remote)))
        counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}
