/**
 * The pack station at `/pack`: scan (or type) the order, scan every item against the picked units, take the
 * suggested carton or choose another, weigh, "Pack and print" (SSCC + carrier label), then "Despatch".
 * Keyboard first: a keyboard-wedge scanner types a code then Enter into the focused scan field; everything else is
 * reachable with Tab / Enter. Messages go to live regions so a screen reader hears each scan's result.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useChosenSite } from '../views/use-chosen-site.ts';
import { despatchOrder, fetchPackOrder, packOrder, PackApiError, type PackOrderView, type PackResult } from './pack-api.ts';
import { describeCarton, describeOutcome, isComplete, remainingUnits, readWeightField, scanItem, scannedItemsOf, startSession, untick, weightCheck, type PackSession } from './pack-session.ts';

type Stage =
  | { readonly kind: 'lookup' }
  | { readonly kind: 'verify'; readonly view: PackOrderView; readonly session: PackSession }
  | { readonly kind: 'packed'; readonly orderId: string; readonly result: PackResult }
  | { readonly kind: 'despatched'; readonly orderId: string; readonly result: PackResult };

/** A message under the scan field: good news is polite, a problem is an alert. */
interface Notice {
  readonly tone: 'good' | 'bad' | 'info';
  readonly text: string;
  /** Bumped on every notice so the same text twice is announced twice. */
  readonly n: number;
}

/** What a server error means to a packer. */
function explain(error: unknown): string {
  if (!(error instanceof PackApiError)) return error instanceof Error ? error.message : String(error);
  switch (error.code) {
    case 'UNKNOWN_ORDER':
      return `No order found for that code. ${error.message}`;
    case 'PACK_MISMATCH':
      return `The scanned items do not match what was picked: ${error.message}`;
    case 'NO_SHIP_TO':
      return 'This order has no delivery address, so no label can be printed. Pass it to the supervisor.';
    case 'CARRIER_FAILED':
    case 'CARRIER_REFUSED':
      return `The parcel is packed but has no label: ${error.message}. Press "Retry label" to try again.`;
    case 'NO_CARRIER_SERVICE':
      return `No carrier takes this parcel: ${error.message}. Check the weight, or pass it to the supervisor.`;
    default:
      return error.message;
  }
}

/** Root of the pack station. */
export function PackApp() {
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const { siteId, error: siteError, retry } = useChosenSite(params);

  return (
    <div className="pack">
      <header className="pack__bar">
        <h1 className="pack__title">Pack station</h1>
        {siteId !== null && <span className="pack__site">Site {siteId}</span>}
      </header>
      <main className="pack__body">
        {siteError !== null ? (
          <section className="card card--bad" role="alert">
            <h2>Cannot reach the server</h2>
            <p>{siteError}</p>
            <button type="button" className="btn" onClick={retry}>Try again</button>
          </section>
        ) : siteId === null ? (
          <p role="status" className="card">Connecting…</p>
        ) : (
          <Station siteId={siteId} initialCode={params.get('order')} />
        )}
      </main>
    </div>
  );
}

function Station({ siteId, initialCode }: { siteId: string; initialCode: string | null }) {
  const [stage, setStage] = useState<Stage>({ kind: 'lookup' });
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState(false);
  /** A scanned order that is packed already: its label is shown again, or printed if the carrier failed before. */
  const [packedAlready, setPackedAlready] = useState<{ orderId: string; labelled: boolean } | null>(null);
  /** The order whose label the carrier failed to make just now: "Pack and print" becomes "Retry label". */
  const [retryLabelFor, setRetryLabelFor] = useState<string | null>(null);
  const counter = useRef(0);
  const say = useCallback((tone: Notice['tone'], text: string) => setNotice({ tone, text, n: ++counter.current }), []);

  const lookUp = useCallback(
    async (code: string) => {
      const trimmed = code.trim();
      if (trimmed === '') return say('bad', 'Scan or type an order number first.');
      setBusy(true);
      setPackedAlready(null);
      try {
        const view = await fetchPackOrder(siteId, trimmed);
        setStage({ kind: 'verify', view, session: startSession(view.orderId, view.items) });
        say('info', `Order ${view.orderId}: scan each of the ${view.units} item${view.units === 1 ? '' : 's'}.`);
      } catch (error) {
        const details = error instanceof PackApiError ? (error.details as Record<string, unknown> | null) : null;
        const orderId = details?.['orderId'];
        if (error instanceof PackApiError && error.code === 'INVALID_STATE' && details?.['status'] === 'packed' && typeof orderId === 'string') {
          setPackedAlready({ orderId, labelled: details['labelPending'] !== true });
        }
        say('bad', explain(error));
      } finally {
        setBusy(false);
      }
    },
    [siteId, say],
  );

  const started = useRef(false);
  useEffect(() => {
    if (initialCode !== null && !started.current) {
      started.current = true;
      void lookUp(initialCode);
    }
  }, [initialCode, lookUp]);

  /** Packs and labels; for an order packed already the server only (re)labels it, so `body` may be empty. */
  const pack = async (orderId: string, body: Parameters<typeof packOrder>[2]) => {
    setBusy(true);
    try {
      const result = await packOrder(siteId, orderId, body);
      setPackedAlready(null);
      setRetryLabelFor(null);
      setStage({ kind: 'packed', orderId, result });
      say('good', `Packed. SSCC ${result.sscc}, ${result.carrier} tracking ${result.trackingNumber}. Print the label, then despatch.`);
    } catch (error) {
      if (error instanceof PackApiError && (error.code === 'CARRIER_FAILED' || error.code === 'CARRIER_REFUSED')) setRetryLabelFor(orderId);
      say('bad', explain(error));
    } finally {
      setBusy(false);
    }
  };

  const despatch = async (orderId: string, result: PackResult) => {
    setBusy(true);
    try {
      await despatchOrder(siteId, orderId);
      setStage({ kind: 'despatched', orderId, result });
      say('good', `Order ${orderId} despatched with ${result.carrier}, tracking ${result.trackingNumber}.`);
    } catch (error) {
      say('bad', explain(error));
    } finally {
      setBusy(false);
    }
  };

  const reset = () => {
    setStage({ kind: 'lookup' });
    setPackedAlready(null);
    setRetryLabelFor(null);
    setNotice(null);
  };

  let content: ReactNode;
  switch (stage.kind) {
    case 'lookup':
      content = (
        <>
          <ScanField label="Order" hint="Scan the order label (order id or the shop's order number), or type it, then Enter." busy={busy} onScan={(code) => void lookUp(code)} />
          {packedAlready !== null && (
            <section className="card card--warn" aria-label={`Order ${packedAlready.orderId} is packed`}>
              <p>
                Order {packedAlready.orderId} is packed {packedAlready.labelled ? 'and labelled already.' : 'but has no label yet.'}
              </p>
              <button type="button" className="btn btn--primary" disabled={busy} onClick={() => void pack(packedAlready.orderId, {})}>
                {packedAlready.labelled ? 'Show label' : 'Print label'}
              </button>
            </section>
          )}
        </>
      );
      break;
    case 'verify':
      content = (
        <Verify
          view={stage.view}
          session={stage.session}
          busy={busy}
          retryLabel={retryLabelFor === stage.view.orderId}
          onSession={(session) => setStage({ ...stage, session })}
          say={say}
          onPack={(cartonCode, weightG) => void pack(stage.view.orderId, { cartonCode, weightG, scannedItems: scannedItemsOf(stage.session) })}
          onCancel={reset}
        />
      );
      break;
    case 'packed':
    case 'despatched':
      content = (
        <Packed
          orderId={stage.orderId}
          result={stage.result}
          despatched={stage.kind === 'despatched'}
          busy={busy}
          onDespatch={() => void despatch(stage.orderId, stage.result)}
          onNext={reset}
        />
      );
      break;
  }

  return (
    <>
      <NoticeBar notice={notice} />
      {content}
    </>
  );
}

/** The one field a keyboard-wedge scanner types into. Keeps focus, clears after each Enter. */
function ScanField({ label, hint, busy, onScan }: { label: string; hint: string; busy: boolean; onScan: (code: string) => void }) {
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!busy) input.current?.focus();
  }, [busy]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const code = value;
    setValue('');
    onScan(code);
    input.current?.focus();
  };
  return (
    <form className="scan" onSubmit={submit}>
      <label className="scan__label" htmlFor="pack-scan">{label}</label>
      <p className="scan__hint" id="pack-scan-hint">{hint}</p>
      <div className="scan__row">
        <input
          ref={input}
          id="pack-scan"
          data-testid="scan-input"
          className="scan__input"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          enterKeyHint="go"
          aria-describedby="pack-scan-hint"
          readOnly={busy}
          autoFocus
        />
        <button type="submit" className="btn" disabled={busy}>Enter</button>
      </div>
    </form>
  );
}

function Verify({
  view, session, busy, retryLabel, onSession, say, onPack, onCancel,
}: {
  view: PackOrderView;
  session: PackSession;
  busy: boolean;
  retryLabel: boolean;
  onSession: (session: PackSession) => void;
  say: (tone: Notice['tone'], text: string) => void;
  onPack: (cartonCode: string, weightG: number) => void;
  onCancel: () => void;
}) {
  const [cartonCode, setCartonCode] = useState(view.carton.suggested ?? view.carton.options[0]?.code ?? '');
  const [weight, setWeight] = useState('');
  const weightInput = useRef<HTMLInputElement>(null);
  const complete = isComplete(session);
  const entry = readWeightField(weight);
  const weightG = entry.kind === 'grams' ? entry.grams : 0;
  const weightOk = entry.kind === 'grams';
  const left = remainingUnits(session);

  const onScan = (code: string) => {
    const step = scanItem(session, code);
    onSession(step.session);
    const text = describeOutcome(step.outcome);
    if (step.outcome.kind === 'ticked') {
      const done = isComplete(step.session);
      say('good', done ? `${text}. All items scanned: weigh the parcel.` : text);
      if (done) setTimeout(() => weightInput.current?.focus(), 0);
    } else say('bad', text);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!complete) return say('bad', `Scan the remaining ${left} item${left === 1 ? '' : 's'} first.`);
    if (!weightOk) {
      weightInput.current?.focus();
      return say('bad', 'Enter the weight in whole grams.');
    }
    onPack(cartonCode, weightG);
  };

  return (
    <>
      <section className="card order" aria-label={`Order ${view.orderId}`}>
        <div className="order__head">
          <h2 className="order__id" data-testid="order-id">{view.orderId}</h2>
          {view.externalRef !== null && <span className="order__ref">Ref {view.externalRef}</span>}
          <span className="order__service">{view.service ?? 'standard'}</span>
        </div>
        {view.shipTo !== null && (
          <p className="order__to">
            To {view.shipTo.name}, {view.shipTo.city} {view.shipTo.postcode}, {view.shipTo.country}
          </p>
        )}
      </section>

      {!complete && <ScanField label="Item" hint="Scan each item (barcode or GS1) as it goes into the carton." busy={busy} onScan={onScan} />}

      <section className="card" aria-labelledby="items-title">
        <h2 id="items-title" className="card__title">
          Items <span className="count" data-testid="remaining">{left === 0 ? 'all scanned' : `${left} to scan`}</span>
        </h2>
        <ul className="items" data-testid="items">
          {session.lines.map((line) => {
            const done = line.scanned >= line.expected;
            return (
              <li key={line.skuId} className={done ? 'item item--done' : 'item'} data-testid={`item-${line.skuId}`}>
                <span className="item__count" aria-label={`${line.scanned} of ${line.expected} scanned`}>
                  {line.scanned}/{line.expected}
                </span>
                <span className="item__what">
                  <span className="item__desc">{line.description}</span>
                  <span className="item__meta">{line.skuId} · {line.barcode}</span>
                </span>
                {line.scanned > 0 && (
                  <button type="button" className="btn btn--small" onClick={() => onSession(untick(session, line.skuId))} aria-label={`Take one ${line.description} back out`}>
                    −1
                  </button>
                )}
                {done && <span className="item__tick" aria-hidden="true">✓</span>}
              </li>
            );
          })}
        </ul>
      </section>

      <form className="card pack-form" onSubmit={submit} aria-label="Carton and weight">
        <div className="field">
          <label htmlFor="pack-carton">Carton</label>
          <select
            id="pack-carton"
            data-testid="carton"
            value={cartonCode}
            onChange={(e) => setCartonCode(e.target.value)}
            aria-describedby="pack-carton-hint"
          >
            {view.carton.options.map((carton) => (
              <option key={carton.code} value={carton.code}>
                {describeCarton(carton)}
                {carton.code === view.carton.suggested ? ' (suggested)' : ''}
              </option>
            ))}
          </select>
          <p id="pack-carton-hint" className="field__hint">
            {view.carton.suggested !== null
              ? `Suggested ${view.carton.suggested}${view.carton.fillRatio !== null ? `, ${Math.round(view.carton.fillRatio * 100)} % full` : ''}`
              : `No carton suggested: ${view.carton.reason ?? 'unknown sizes'}`}
          </p>
        </div>
        <div className="field">
          <label htmlFor="pack-weight">Weight (grams)</label>
          <input
            ref={weightInput}
            id="pack-weight"
            data-testid="weight"
            inputMode="numeric"
            value={weight}
            onChange={(e) => setWeight(e.target.value)}
            onKeyDown={(e) => {
              // A scanner's barcode landed here: check it as an item and keep the weight field clear.
              if (e.key === 'Enter' && entry.kind === 'scan') {
                e.preventDefault();
                setWeight('');
                onScan(entry.code);
              }
            }}
            aria-describedby="pack-weight-hint"
            autoComplete="off"
          />
          <p id="pack-weight-hint" className="field__hint">Estimated {view.estimatedWeightG.toLocaleString('en-GB')} g</p>
          {weightOk && weightCheck(weightG, view.estimatedWeightG) !== 'ok' && (
            <p className="field__warn" role="status" data-testid="weight-warning">
              {weightCheck(weightG, view.estimatedWeightG) === 'light' ? 'Lighter' : 'Heavier'} than expected: check the carton and the scale.
            </p>
          )}
        </div>
        <div className="actions">
          <button type="submit" className="btn btn--primary" data-testid="pack-button" disabled={busy || !complete || !weightOk}>
            {retryLabel ? 'Retry label' : 'Pack and print'}
          </button>
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>Another order</button>
        </div>
      </form>
    </>
  );
}

function Packed({
  orderId, result, despatched, busy, onDespatch, onNext,
}: { orderId: string; result: PackResult; despatched: boolean; busy: boolean; onDespatch: () => void; onNext: () => void }) {
  const first = useRef<HTMLAnchorElement>(null);
  const next = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    (despatched ? next.current : first.current)?.focus();
  }, [despatched]);
  return (
    <section className="card card--good result" aria-label={`Order ${orderId} ${despatched ? 'despatched' : 'packed'}`} data-testid="pack-result">
      <h2 className="card__title">{despatched ? 'Despatched' : 'Packed — print the label'}</h2>
      <dl className="facts">
        <div><dt>Order</dt><dd>{orderId}</dd></div>
        <div><dt>SSCC</dt><dd data-testid="sscc">{result.sscc}</dd></div>
        <div><dt>Carrier</dt><dd>{result.carrier} · {result.service}</dd></div>
        <div>
          <dt>Tracking</dt>
          <dd data-testid="tracking">
            {result.trackingUrl !== null ? <a href={result.trackingUrl} target="_blank" rel="noreferrer">{result.trackingNumber}</a> : result.trackingNumber}
          </dd>
        </div>
      </dl>
      <div className="actions">
        <a ref={first} className="btn" href={result.labels.zpl} data-testid="label-zpl" target="_blank" rel="noreferrer">Label (ZPL)</a>
        <a className="btn" href={result.labels.pdf} data-testid="label-pdf" target="_blank" rel="noreferrer">Label (PDF)</a>
        {!despatched && (
          <button type="button" className="btn btn--primary" data-testid="despatch-button" onClick={onDespatch} disabled={busy}>
            Despatch
          </button>
        )}
        <button ref={next} type="button" className="btn" onClick={onNext} disabled={busy}>Next order</button>
      </div>
    </section>
  );
}

function NoticeBar({ notice }: { notice: Notice | null }) {
  // Two regions, always present, so assistive tech hears each change: errors assertive, the rest polite.
  return (
    <div className="notices">
      <div role="alert" className="notice notice--bad" data-testid="notice-error" hidden={notice?.tone !== 'bad'}>
        {notice?.tone === 'bad' ? <span key={notice.n}>{notice.text}</span> : null}
      </div>
      <div role="status" className={`notice notice--${notice?.tone ?? 'info'}`} data-testid="notice" hidden={notice === null || notice.tone === 'bad'}>
        {notice !== null && notice.tone !== 'bad' ? <span key={notice.n}>{notice.text}</span> : null}
      </div>
    </div>
  );
}
