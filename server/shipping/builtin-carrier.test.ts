import { describe, expect, it } from 'vitest';
import { buildSscc } from '../twin/barcodes/gs1.ts';
import type { ShipmentRequest } from './carrier.ts';
import { CarrierError } from './carrier.ts';
import { BUILTIN_CARRIER_ID, MANIFEST_HEADER, builtinCarrier, s10CheckDigit, s10TrackingNumber } from './builtin-carrier.ts';

const request: ShipmentRequest = {
  orderId: 'ORD-1',
  sscc: '106141411234567897',
  service: 'standard',
  weightG: 1234,
  cartonCode: 'M1',
  from: { name: 'Floortwin DC', line1: 'Unit 4 Park Way', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' },
  to: { name: 'Jane Smith', line1: '1 High Street', city: 'London', postcode: 'SW1A 1AA', country: 'GB' },
  externalRef: '#1001',
  shippedOn: '2026-11-27',
};

describe('UPU S10 tracking numbers', () => {
  it('computes the check digit with weights 8,6,4,2,3,5,9,7', () => {
    // 4·8 + 7·6 + 3·4 + 1·2 + 2·3 + 4·5 + 8·9 + 2·7 = 200; 200 mod 11 = 2; 11 − 2 = 9.
    expect(s10CheckDigit('47312482')).toBe(9);
    // 1·8 + 2·6 + 3·4 + 4·2 + 5·3 + 6·5 + 7·9 + 8·7 = 204; 204 mod 11 = 6; 11 − 6 = 5 (RR123456785GB).
    expect(s10CheckDigit('12345678')).toBe(5);
    expect(s10CheckDigit('00000000')).toBe(5); // 11 → 5
    expect(s10CheckDigit('00000008')).toBe(0); // 8·7 = 56 = 5·11 + 1; 11 − 1 = 10 → 0
    expect(() => s10CheckDigit('1234567')).toThrow(RangeError);
  });

  it('derives the form 2 letters + 8 digits + check + country from the SSCC', () => {
    const t = s10TrackingNumber('106141411234567897', 'gb');
    expect(t).toMatch(/^[A-Z]{2}\d{9}GB$/);
    // Extension 1 + serial reference 123456789 = 1123456789: serial 23456789, high 11 → letters "AL".
    // 2·8 + 3·6 + 4·4 + 5·2 + 6·3 + 7·5 + 8·9 + 9·7 = 248; 248 mod 11 = 6; check 5.
    expect(t).toBe('AL234567895GB');
  });

  it('never repeats across 10,000 SSCCs, including across extension digits and at capacity edges', () => {
    const seen = new Set<string>();
    const prefix = '0614141';
    for (let i = 0; i < 2_500; i++) {
      for (const ext of [0, 1, 5, 9]) seen.add(s10TrackingNumber(buildSscc(ext, prefix, i * 399_999 + 7), 'GB'));
    }
    expect(seen.size).toBe(10_000);
    const edges = [0, 99_999_999, 100_000_000, 999_999_999].flatMap((s) => [0, 9].map((e) => s10TrackingNumber(buildSscc(e, prefix, s), 'GB')));
    expect(new Set(edges).size).toBe(edges.length);
    for (const t of edges) expect(t).toMatch(/^[A-Z]{2}\d{9}GB$/);
  });
});

describe('builtinCarrier', () => {
  const carrier = builtinCarrier({ country: 'GB' });

  it('offers standard, express, next-day, international and freight', () => {
    expect(carrier.id).toBe(BUILTIN_CARRIER_ID);
    expect(carrier.services.map((s) => s.code)).toEqual(['standard', 'express', 'next-day', 'international', 'freight']);
  });

  it('creates a shipment with an S10 tracking number, a ZPL label and a PDF label', async () => {
    const s = await carrier.createShipment(request);
    expect(s.carrier).toBe('floortwin-post');
    expect(s.service).toBe('standard');
    expect(s.trackingNumber).toBe(s10TrackingNumber(request.sscc, 'GB'));
    expect(s.trackingUrl).toBe(`https://track.floortwin.example/${s.trackingNumber}`);
    expect(s.zpl).toContain('^FD>;>800106141411234567897^FS');
    expect(s.zpl).toContain(s.trackingNumber);
    expect(s.pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    // Same SSCC, same tracking number: a retried booking is idempotent.
    expect((await carrier.createShipment(request)).trackingNumber).toBe(s.trackingNumber);
  });

  it('refuses services it does not have, overweight parcels and domestic services abroad', async () => {
    await expect(carrier.createShipment({ ...request, service: 'teleport' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(carrier.createShipment({ ...request, service: 'next-day', weightG: 25_000 })).rejects.toBeInstanceOf(CarrierError);
    await expect(carrier.createShipment({ ...request, to: { ...request.to, country: 'FR' } })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(carrier.createShipment({ ...request, to: { ...request.to, country: 'FR' }, service: 'international' })).resolves.toMatchObject({ service: 'international' });
    await expect(carrier.createShipment({ ...request, sscc: '106141411234567890' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(carrier.createShipment({ ...request, shippedOn: 'today' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('builds a manifest CSV with one row per parcel and the totals', () => {
    const parcels = [
      { orderId: 'ORD-1', sscc: '106141411234567897', trackingNumber: 'AA473124829GB', service: 'standard', weightG: 1234, postcode: 'SW1A 1AA', country: 'gb' },
      { orderId: 'ORD-2', sscc: '006141411234567890', trackingNumber: 'AA123456785GB', service: 'express', weightG: 800, postcode: 'M1 1AE', country: 'GB' },
      { orderId: 'ORD-3, "B"', sscc: '106141411234567903', trackingNumber: 'AA000000005GB', service: 'standard', weightG: 2000, postcode: '=1+1', country: 'GB' },
    ];
    const m = carrier.manifest('2026-11-27', parcels);
    expect(m).toMatchObject({ carrier: 'floortwin-post', date: '2026-11-27', parcels: 3, totalWeightG: 4034 });
    const lines = m.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(MANIFEST_HEADER);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe('floortwin-post,2026-11-27,ORD-1,106141411234567897,AA473124829GB,standard,1234,SW1A 1AA,GB');
    expect(lines[3]).toBe(`floortwin-post,2026-11-27,"ORD-3, ""B""",106141411234567903,AA000000005GB,standard,2000,'=1+1,GB`);
    expect(lines[4]).toBe('floortwin-post,2026-11-27,TOTAL,,3 parcels,,4034,,');
    expect(carrier.manifest('2026-11-27', []).csv).toBe(`${MANIFEST_HEADER}\r\nfloortwin-post,2026-11-27,TOTAL,,0 parcels,,0,,\r\n`);
    expect(() => carrier.manifest('27/11/2026', [])).toThrow(RangeError);
  });
});
