/**
 * Blind cycle count: take the next count (open, asked again, or one this counter started), scan the bin label, scan
 * every item found (each scan one unit, a GS1 label its count; a line's figure can be typed), submit. The page never
 * shows an expected quantity — the API gives it none (R34) — and after a submission says only what follows: accepted,
 * recount (count again from the start), or sent for approval (R36). A serial-tracked item is counted by serial (R80):
 * after the item, its serial — each unit once; the line's figure is the serials scanned.
 */
import { useState, type FormEvent } from 'react';
import { ScanField } from '../picker/ScanField.tsx';
import { SerialList } from '../views/SerialList.tsx';
import { serialRefusal } from '../views/serial-scan.ts';
import { addFound, addFoundSerial, countLines, describeSubmitted, nextCount, removeFoundSerial, removeLine, setFound, startDraft, unitsFound, type CountDraft } from './count-session.ts';
import { sameLocation } from './move-session.ts';
import { fetchCounts, lookupCode, newRequestId, startCount, submitCount, type BlindCountView, type CatalogueItem, type CatalogueLookup } from './stock-api.ts';
import { Field, MessageLine, StateCard, useBusyRun, useNotice } from './ui.tsx';

type Stage =
  | { readonly kind: 'idle'; readonly none: boolean }
  | { readonly kind: 'bin'; readonly draft: CountDraft }
  | { readonly kind: 'items'; readonly draft: CountDraft; readonly lotFor: { item: CatalogueItem; lookup: CatalogueLookup } | null; readonly serialFor?: SerialFor | null };

/** A serial-tracked item scanned: its serial comes next (R80). */
interface SerialFor {
  readonly item: CatalogueItem;
  readonly lot: string;
  readonly expiry: string | null;
}

export function CountMode({ siteId, operativeId }: { siteId: string; operativeId: string }) {
  const [stage, setStage] = useState<Stage>({ kind: 'idle', none: false });
  const { notice, say, clear } = useNotice();
  const { busy, run } = useBusyRun(say);


  /** Starts (or resumes) a count and shows its bin. */
  const begin = async (count: BlindCountView): Promise<void> => {
    const mine = (count.status === 'counting' || count.status === 'recounting') && count.counterId === operativeId;
    const started = mine ? count : await startCount(siteId, count.id, operativeId);
    setStage({ kind: 'bin', draft: startDraft(started) });
  };

  const takeNext = () =>
    run(async () => {
      clear();
      const lists = await Promise.all((['counting', 'recounting', 'recount', 'open'] as const).map((s) => fetchCounts(siteId, s)));
      const count = nextCount(lists.flat(), operativeId);
      if (count === null) return setStage({ kind: 'idle', none: true });
      await begin(count);
    });

  const scanBin = (draft: CountDraft, code: string): void => {
    if (!sameLocation(code, draft.locationId)) return say('bad', `Wrong bin: scanned ${code.trim()}, this count is at ${draft.locationId}. Nothing recorded.`, 'WRONG_LOCATION_SCANNED');
    say('info', `Bin ${draft.locationId}: scan every item in it.`);
    setStage({ kind: 'items', draft, lotFor: null });
  };

  const scanItem = (draft: CountDraft, code: string) =>
    run(async () => {
      const lookup = await lookupCode(siteId, code);
      const item = lookup.matches.length === 1 ? lookup.matches[0] : undefined;
      if (item === undefined) return say('bad', `${lookup.code} is an item of several clients: count it by its GS1 label or ask a supervisor.`, 'AMBIGUOUS');
      if (item.lotTracked && lookup.lot === null) return setStage({ kind: 'items', draft, lotFor: { item, lookup } });
      if (item.serialTracked) {
        say('info', `${item.description} is serial-tracked: scan this unit's serial.`);
        return setStage({ kind: 'items', draft, lotFor: null, serialFor: { item, lot: lookup.lot ?? '', expiry: lookup.expiry } });
      }
      const added = addFound(draft, item, lookup.lot ?? '', lookup.expiry, lookup.qty ?? 1);
      say('good', `${item.description}${added.line.lot === '' ? '' : ` · lot ${added.line.lot}`}: ${added.line.qty} counted.`);
      setStage({ kind: 'items', draft: added.draft, lotFor: null });
    });

  const scanSerial = (draft: CountDraft, serialFor: SerialFor, code: string): void => {
    const added = addFoundSerial(draft, serialFor.item, serialFor.lot, serialFor.expiry, code);
    const refusal = serialRefusal(added.outcome);
    if (refusal !== null) return say('bad', refusal.text, refusal.code);
    say('good', `${serialFor.item.description}: serial ${code.trim()} counted. Scan the next item.`);
    setStage({ kind: 'items', draft: added.draft, lotFor: null, serialFor: null });
  };

  const submit = (draft: CountDraft) =>
    run(async () => {
      const answer = await submitCount(siteId, draft.countId, { counterId: operativeId, lines: countLines(draft), scanId: newRequestId('CNT'), attempt: draft.attempt });
      const said = describeSubmitted(answer);
      say(said.tone, said.text, answer.status);
      if (said.recount) {
        const again = await startCount(siteId, answer.id, operativeId);
        setStage({ kind: 'bin', draft: startDraft(again) });
      } else setStage({ kind: 'idle', none: false });
    });

  let content;
  switch (stage.kind) {
    case 'idle':
      content = stage.none ? (
        <StateCard tone="muted" title="No counts waiting" body="Counts planned for today or asked for by a supervisor appear here." testId="no-counts">
          <button type="button" className="big-button" disabled={busy} onClick={() => void takeNext()}>Check again</button>
        </StateCard>
      ) : (
        <StateCard tone="muted" title="Cycle count" body="Blind: count what is in the bin; you will not be told what the system expects.">
          <button type="button" className="big-button" data-testid="next-count" disabled={busy} onClick={() => void takeNext()}>Next count</button>
        </StateCard>
      );
      break;
    case 'bin':
      content = (
        <>
          <CountCard draft={stage.draft} />
          <ScanField label="Scan the bin label" hint={`Go to ${stage.draft.locationId} and scan its label.`} onScan={(code) => scanBin(stage.draft, code)} active={!busy} testId="count-bin-scan" />
        </>
      );
      break;
    case 'items':
      content = (
        <>
          <CountCard draft={stage.draft} />
          {stage.serialFor != null ? (
            <>
              <ScanField
                key="serial"
                label={`Scan the serial of ${stage.serialFor.item.description}`}
                hint="One serial per unit"
                onScan={(code) => scanSerial(stage.draft, stage.serialFor as SerialFor, code)}
                active={!busy}
                testId="count-serial-scan"
              />
              <button type="button" className="action stock-back" onClick={() => setStage({ kind: 'items', draft: stage.draft, lotFor: null, serialFor: null })}>Cancel</button>
            </>
          ) : stage.lotFor === null ? (
            <ScanField key="item" label="Scan each item" hint="One scan per unit; a GS1 label with a count adds its count." onScan={(code) => void scanItem(stage.draft, code)} active={!busy} testId="count-item-scan" />
          ) : (
            <LotForm
              item={stage.lotFor.item}
              onAdd={(lot, expiry) => {
                const item = stage.lotFor?.item;
                if (item?.serialTracked === true) return setStage({ kind: 'items', draft: stage.draft, lotFor: null, serialFor: { item, lot, expiry } });
                const added = addFound(stage.draft, item ?? { skuId: '', description: '' }, lot, expiry, stage.lotFor?.lookup.qty ?? 1);
                setStage({ kind: 'items', draft: added.draft, lotFor: null });
              }}
              onCancel={() => setStage({ kind: 'items', draft: stage.draft, lotFor: null })}
            />
          )}
          <FoundList draft={stage.draft} onChange={(draft) => setStage({ ...stage, draft })} />
          <div className="short__buttons">
            <button type="button" className="action stock-primary" data-testid="count-submit" disabled={busy} onClick={() => void submit(stage.draft)}>
              {stage.draft.lines.length === 0 ? 'Submit: bin empty' : 'Submit count'}
            </button>
            <button type="button" className="action" disabled={busy} onClick={() => { clear(); setStage({ kind: 'idle', none: false }); }}>
              Later
            </button>
          </div>
        </>
      );
      break;
  }

  return (
    <>
      <MessageLine notice={notice} onDismiss={clear} />
      {content}
    </>
  );
}

function CountCard({ draft }: { draft: CountDraft }) {
  return (
    <section className="next stock-card" aria-label="Count" data-testid="count-card" data-count-id={draft.countId}>
      <div className="next__head">
        <span>{draft.attempt > 1 ? `Recount (attempt ${draft.attempt})` : 'Count'}</span>
        <span>Blind</span>
      </div>
      <div className="next__id next__id--big" data-testid="count-location">{draft.locationId}</div>
    </section>
  );
}

function FoundList({ draft, onChange }: { draft: CountDraft; onChange: (draft: CountDraft) => void }) {
  if (draft.lines.length === 0) return <p className="state__body">Nothing counted yet.</p>;
  return (
    <section className="stops" aria-label="Counted">
      <h2 className="stops__title">Counted · {unitsFound(draft)} units</h2>
      <ul className="stock-lines" data-testid="count-lines">
        {draft.lines.map((l) => (
          <li key={l.key} className="stock-lines__item stock-lines__item--edit">
            <span className="stock-lines__what">
              {l.description}
              <span className="next__skuid">{l.skuId}{l.lot === '' ? '' : ` · lot ${l.lot}`}</span>
            </span>
            <input
              className="field__input stock-qty"
              aria-label={`Units of ${l.description}${l.lot === '' ? '' : ` lot ${l.lot}`}`}
              inputMode="numeric"
              value={String(l.qty)}
              readOnly={l.serials !== undefined}
              onChange={(e) => onChange(setFound(draft, l.key, e.target.value.trim() === '' ? 0 : Number(e.target.value)))}
            />
            <button type="button" className="message__close stock-remove" aria-label={`Remove ${l.description}`} onClick={() => onChange(removeLine(draft, l.key))}>×</button>
            {l.serials !== undefined && l.serials.length > 0 && <SerialList serials={l.serials} onRemove={(s) => onChange(removeFoundSerial(draft, l.key, s))} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function LotForm({ item, onAdd, onCancel }: { item: CatalogueItem; onAdd: (lot: string, expiry: string | null) => void; onCancel: () => void }) {
  const [lot, setLot] = useState('');
  const [expiry, setExpiry] = useState('');
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (lot.trim() !== '') onAdd(lot.trim(), /^\d{4}-\d{2}-\d{2}$/.test(expiry.trim()) ? expiry.trim() : null);
  };
  return (
    <form className="signon stock-form" onSubmit={submit} aria-label="Lot">
      <p className="state__body">{item.description} is lot-tracked: type the lot printed on it.</p>
      <Field label="Lot" value={lot} onChange={setLot} autoFocus testId="count-lot" />
      <Field label="Expiry (YYYY-MM-DD, if new to the bin)" value={expiry} onChange={setExpiry} testId="count-expiry" />
      <div className="short__buttons">
        <button type="submit" className="action stock-primary" disabled={lot.trim() === ''}>Add</button>
        <button type="button" className="action" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
