/**
 * Serial lookup (R80): scan the item (its barcode names the SKU; a GTIN several clients share asks which), then the
 * serial: where the unit is now — in stock at a location, picked for an order, shipped, in transit or transferred to
 * another site — and every step it took here, oldest first. Read-only.
 */
import { useState } from 'react';
import { ScanField } from '../picker/ScanField.tsx';
import { lookupCode, lookupSerial, type CatalogueItem, type SerialAudit, type SerialStatus } from './stock-api.ts';
import { MessageLine, useBusyRun, useNotice } from './ui.tsx';

/** What each status means to a person on the floor. */
export const SERIAL_STATUS_LABELS: Readonly<Record<SerialStatus, string>> = {
  'in-stock': 'In stock',
  picked: 'Picked',
  shipped: 'Shipped to the customer',
  'in-transit': 'In transit to another site',
  transferred: 'Transferred to another site',
  'written-off': 'Written off by a count',
  disposed: 'Disposed of after a return',
};

/** Where the serial is, in words: the location, order or transfer its status names. */
export function whereIs(current: NonNullable<SerialAudit['current']>): string {
  switch (current.status) {
    case 'in-stock':
      return current.locationId === null ? 'In stock' : `In stock at ${current.locationId}`;
    case 'picked':
      return current.orderId !== null ? `Picked for order ${current.orderId}` : `Picked for transfer ${current.transferId ?? '—'}`;
    case 'shipped':
      return `Shipped on order ${current.orderId ?? '—'}`;
    case 'in-transit':
      return `In transit on transfer ${current.transferId ?? '—'}`;
    case 'transferred':
      return `Transferred on ${current.transferId ?? '—'}`;
    case 'written-off':
      return 'Written off: not found by a count';
    case 'disposed':
      return 'Disposed of after a return';
  }
}

export function SerialMode({ siteId }: { siteId: string }) {
  const [choices, setChoices] = useState<readonly CatalogueItem[]>([]);
  const [item, setItem] = useState<CatalogueItem | null>(null);
  const [audit, setAudit] = useState<SerialAudit | null>(null);
  const { notice, say, clear } = useNotice();
  const { busy, run } = useBusyRun(say);

  const scanItem = (code: string) =>
    run(async () => {
      const found = await lookupCode(siteId, code.trim());
      clear();
      setAudit(null);
      if (found.matches.length === 1) setItem(found.matches[0] ?? null);
      else setChoices(found.matches);
    });

  const scanSerial = (sku: CatalogueItem, serial: string) =>
    run(async () => {
      const found = await lookupSerial(siteId, sku.skuId, serial.trim());
      clear();
      setAudit(found);
    });

  return (
    <>
      <MessageLine notice={notice} onDismiss={clear} />
      {item === null && choices.length === 0 && <ScanField label="Scan the item" hint="Its barcode names the SKU whose serial you look up." onScan={(code) => void scanItem(code)} active={!busy} testId="serial-item-scan" />}
      {item === null && choices.length > 0 && (
        <section aria-labelledby="serial-client-title">
          <h2 className="stops__title" id="serial-client-title">Which client&apos;s item?</h2>
          <ul className="chooser">
            {choices.map((c) => (
              <li key={c.skuId}>
                <button type="button" className="chooser__item" data-testid={`serial-sku-${c.skuId}`} onClick={() => { setItem(c); setChoices([]); }}>
                  <span className="chooser__name">{c.description}</span>
                  <span className="chooser__meta">{c.skuId} · {c.tenantName}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {item !== null && (
        <>
          <p className="next__desc" data-testid="serial-item">{item.description} <span className="next__skuid">{item.skuId} · {item.tenantName}</span></p>
          <ScanField label="Scan the serial" hint="The serial label on the unit." onScan={(code) => void scanSerial(item, code)} active={!busy} testId="serial-scan" />
          {audit !== null && <SerialCard audit={audit} />}
          <button type="button" className="action stock-back" onClick={() => { clear(); setItem(null); setAudit(null); }}>Other item</button>
        </>
      )}
    </>
  );
}

function SerialCard({ audit }: { audit: SerialAudit }) {
  return (
    <section className="next stock-card" aria-label={`Serial ${audit.serial}`} data-testid="serial-card" data-status={audit.current?.status ?? 'gone'}>
      <div className="next__head">
        <span>{audit.serial}</span>
        <span>{audit.current === null ? 'No longer here' : SERIAL_STATUS_LABELS[audit.current.status]}</span>
      </div>
      <p className="next__desc" data-testid="serial-where">{audit.current === null ? 'It left this site.' : whereIs(audit.current)}</p>
      {audit.current !== null && audit.current.lot !== '' && <p className="next__skuid">Lot {audit.current.lot}</p>}
      <h3 className="field__label">History</h3>
      <ol className="stock-lines" data-testid="serial-history">
        {audit.history.map((h) => (
          <li key={h.seq} className="stock-lines__item">
            <span className="stock-lines__what">
              {h.event}
              <span className="next__skuid">
                {new Date(h.at).toLocaleString()} · {h.status}
                {h.locationId === null ? '' : ` · ${h.locationId}`}
                {h.orderId === null ? '' : ` · order ${h.orderId}`}
                {h.transferId === null ? '' : ` · ${h.transferId}`}
              </span>
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
