import { describe, expect, it } from 'vitest';
import type { CertificateRecord } from '../repositories/certificates.ts';
import { certificateInventory } from './inventory.ts';

const NOW = new Date(Date.UTC(2026, 10, 23, 12));
const HOUR = 3_600_000;

const cert = (
  serial: string,
  kind: CertificateRecord['kind'],
  fromHoursAgo: number,
  lifetimeHours: number,
  more: Partial<Omit<CertificateRecord, 'pem'>> = {},
): Omit<CertificateRecord, 'pem'> => ({
  serial,
  kind,
  identity: kind === 'LEAF' ? 'spiffe://weft.local/ns/shop/sa/catalog' : `${kind} CA`,
  proxyId: null,
  issuerSerial: null,
  notBefore: new Date(NOW.getTime() - fromHoursAgo * HOUR),
  notAfter: new Date(NOW.getTime() + (lifetimeHours - fromHoursAgo) * HOUR),
  status: 'ACTIVE',
  ...more,
});

describe('certificateInventory', () => {
  const inventory = certificateInventory({
    now: NOW,
    rotateAfter: 0.5,
    signing: new Set(['ROOT1', 'INT2']),
    proxies: [
      { id: 'catalog-1', certificateSerial: 'L2' },
      { id: 'catalog-2', certificateSerial: 'L3' },
    ],
    certificates: [
      cert('ROOT1', 'ROOT', 100, 8_760),
      cert('INT1', 'INTERMEDIATE', 100, 720, { status: 'SUPERSEDED' }),
      cert('INT2', 'INTERMEDIATE', 1, 720),
      cert('L1', 'LEAF', 20, 24, { proxyId: 'catalog-1' }),
      cert('L2', 'LEAF', 4, 24, { proxyId: 'catalog-1' }),
      cert('L3', 'LEAF', 30, 24, { proxyId: 'catalog-2' }),
      cert('L4', 'LEAF', 2, 24, { proxyId: 'gone', status: 'REVOKED' }),
      cert('L5', 'LEAF', 60, 24, { proxyId: null }),
    ],
  });

  it('marks CA certificates signing or retired', () => {
    expect(inventory.roots.map((r) => [r.serial, r.authority, r.status])).toEqual([
      ['ROOT1', 'signing', 'VALID'],
    ]);
    expect(inventory.intermediates.map((r) => [r.serial, r.authority])).toEqual([
      ['INT1', 'retired'],
      ['INT2', 'signing'],
    ]);
  });

  it("keeps each proxy's current leaf, drops replaced ones and those expired over a day ago", () => {
    expect(inventory.workloads.map((w) => [w.serial, w.status, w.proxyId])).toEqual([
      ['L3', 'EXPIRED', 'catalog-2'],
      ['L2', 'VALID', 'catalog-1'],
      ['L4', 'REVOKED', 'gone'],
    ]);
    const l2 = inventory.workloads.find((w) => w.serial === 'L2');
    expect(l2).toMatchObject({
      service: 'shop/catalog',
      renewAt: NOW.getTime() + 8 * HOUR,
      secondsToExpiry: 20 * 3_600,
      renewalOverdue: false,
    });
    expect(inventory.workloads.find((w) => w.serial === 'L3')?.secondsToExpiry).toBe(-6 * 3_600);
  });

  it('names the next renewal among valid certificates', () => {
    expect(inventory.nextRenewal).toEqual({
      serial: 'L2',
      service: 'shop/catalog',
      proxyId: 'catalog-1',
      at: NOW.getTime() + 8 * HOUR,
    });
    expect(inventory.now).toBe(NOW.getTime());
  });
});
