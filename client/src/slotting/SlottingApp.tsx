/**
 * The slotting planner: run slotting on the live site's stock and order history, read the move plan and its predicted
 * saving, check it in the simulator, and release the first moves as re-slot tasks for operatives (swaps run at once).
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useChosenSite } from '../views/use-chosen-site.ts';
import { fetchRun, releaseMoves, startRun, verifyRun, type ReleaseView, type SlottingRunView } from './slotting-api.ts';

/** How often a running plan or check is polled. */
const POLL_MS = 500;

const metres = (m: number | null | undefined, digits = 1): string => (m === null || m === undefined ? '—' : `${m.toFixed(digits)} m`);
const percent = (share: number | null | undefined): string => (share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)} %`);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Root of the slotting planner. */
export function SlottingApp() {
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const { siteId, error, retry } = useChosenSite(params);
  return (
    <div className="slot">
      <header className="slot__bar">
        <h1 className="slot__title">Slotting planner</h1>
        {siteId !== null && <span className="slot__site">Site {siteId}</span>}
      </header>
      {error !== null ? (
        <section className="slot__card slot__card--bad" role="alert">
          <p>Cannot reach the server: {error}</p>
          <button type="button" onClick={retry}>Try again</button>
        </section>
      ) : siteId === null ? (
        <p role="status">Connecting…</p>
      ) : (
        <Planner siteId={siteId} />
      )}
    </div>
  );
}

function Planner({ siteId }: { siteId: string }) {
  const [moves, setMoves] = useState(100);
  const [affinity, setAffinity] = useState(true);
  const [runId, setRunId] = useState<string | null>(null);
  const [run, setRun] = useState<SlottingRunView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [releaseCount, setReleaseCount] = useState(10);
  const [release, setRelease] = useState<ReleaseView | null>(null);

  const refresh = useCallback(async (id: string) => setRun(await fetchRun(siteId, id)), [siteId]);

  // Poll while the plan or its simulator check runs.
  const polling = run === null ? runId !== null : run.status === 'running' || run.verification?.status === 'running';
  useEffect(() => {
    if (!polling || runId === null) return;
    const timer = setTimeout(() => void refresh(runId).catch((e: unknown) => setProblem(messageOf(e))), POLL_MS);
    return () => clearTimeout(timer);
  }, [polling, runId, run, refresh]);

  const act = async (what: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      await what();
    } catch (e) {
      setProblem(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const onRun = (event: FormEvent): void => {
    event.preventDefault();
    void act(async () => {
      setRun(null);
      setRelease(null);
      const started = await startRun(siteId, { moves, affinity });
      setRunId(started.id);
    });
  };
  const onVerify = (): void => void act(async () => {
    if (runId === null) return;
    await verifyRun(siteId, runId, { hours: 2 });
    await refresh(runId);
  });
  const onRelease = (): void => void act(async () => {
    if (runId === null) return;
    setRelease(await releaseMoves(siteId, runId, releaseCount));
    await refresh(runId);
  });

  const plan = run?.status === 'done' ? (run.moves ?? []) : null;
  const check = run?.verification;
  return (
    <main className="slot__body">
      <form className="slot__form" onSubmit={onRun} aria-label="Slotting run">
        <label>
          Moves at most
          <input type="number" min={1} max={5000} step={1} value={moves} required onChange={(e) => setMoves(Number(e.target.value))} data-testid="moves-input" />
        </label>
        <label className="slot__check">
          <input type="checkbox" checked={affinity} onChange={(e) => setAffinity(e.target.checked)} />
          Keep items ordered together close (affinity)
        </label>
        <button type="submit" disabled={busy || (run?.status ?? (runId === null ? 'done' : 'running')) === 'running'} data-testid="run-button">
          Run slotting
        </button>
      </form>

      {problem !== null && <p className="slot__card slot__card--bad" role="alert" data-testid="problem">{problem}</p>}
      <p role="status" className="slot__status" data-testid="status">
        {runId === null ? 'Choose how many moves, then run.' : run === null || run.status === 'running' ? 'Planning…' : run.status === 'failed' ? `Failed: ${run.error ?? ''}` : `Plan ready from ${run.request.orders} orders of history (site seq ${run.request.fromSeq}).`}
      </p>

      {run?.status === 'done' && plan !== null && (
        <>
          <dl className="slot__figures" data-testid="figures">
            <div><dt>Distance per order now</dt><dd data-testid="before">{metres(run.distancePerOrder?.before)}</dd></div>
            <div><dt>After the plan</dt><dd data-testid="after">{metres(run.distancePerOrder?.after)}</dd></div>
            <div><dt>Predicted saving</dt><dd data-testid="predicted">{percent(run.predictedSaving)}</dd></div>
            <div><dt>Moves</dt><dd>{plan.length} ({run.released} released)</dd></div>
          </dl>

          <div className="slot__actions">
            <button type="button" onClick={onVerify} disabled={busy || check?.status === 'running'} data-testid="verify-button">
              Verify with simulator
            </button>
            <label>
              First
              <input type="number" min={1} max={5000} step={1} value={releaseCount} onChange={(e) => setReleaseCount(Number(e.target.value))} data-testid="release-count" />
              moves
            </label>
            <button type="button" onClick={onRelease} disabled={busy || run.released >= plan.length} data-testid="release-button">
              Release {run.released === 0 ? 'first' : 'next'} {releaseCount} moves
            </button>
          </div>

          {check !== undefined && (
            <section className="slot__card" aria-label="Simulator check" data-testid="verification">
              {check.status === 'running' ? (
                <p role="status">Simulating {check.hours} h with {check.pickers} pickers, as stocked and with the moves…</p>
              ) : check.status === 'failed' ? (
                <p role="alert">The simulator check failed: {check.error}</p>
              ) : (
                <p>
                  Walking per line picked: {metres(check.before?.metresPerLine, 2)} now, {metres(check.after?.metresPerLine, 2)} with the moves.
                  Simulated saving <strong data-testid="simulated">{percent(check.simulatedSaving)}</strong> against predicted{' '}
                  <strong>{percent(check.predictedSaving)}</strong> ({check.movesApplied} moves applied, {check.movesSkipped.length} skipped).
                </p>
              )}
            </section>
          )}

          {release !== null && (
            <section className="slot__card" aria-label="Released moves" data-testid="release-result">
              <p>
                {release.applied.filter((a) => a.tasks.length > 0).length} moves released as re-slot tasks for operatives
                {' '}(the stock handheld's put-away flow), {release.applied.filter((a) => a.tasks.length === 0).length} swaps done now as
                {' '}stock moves; {release.skipped.length} skipped
                {release.stopped !== null ? `; stopped at move ${release.stopped.index + 1}: ${release.stopped.reason}` : ''}. {release.remaining} left in the plan.
              </p>
              {release.skipped.length > 0 && (
                <ul>{release.skipped.map((s) => <li key={s.index}>Move {s.index + 1} ({s.sku}): {s.reason}</li>)}</ul>
              )}
            </section>
          )}

          <div className="slot__table-wrap">
            <table className="slot__table" data-testid="plan-table">
              <caption>Move plan, biggest saving first</caption>
              <thead>
                <tr><th scope="col">#</th><th scope="col">SKU</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Kind</th><th scope="col">Saving m/order</th></tr>
              </thead>
              <tbody>
                {plan.map((m, i) => (
                  <tr key={`${i}-${m.sku}`} className={i < run.released ? 'slot__row--released' : undefined}>
                    <td>{i + 1}</td>
                    <td>{m.sku}</td>
                    <td>{m.from}</td>
                    <td>{m.to}</td>
                    <td>{m.kind === 'swap' ? `swap with ${m.swappedSku ?? ''}` : 'relocate'}</td>
                    <td className="slot__num">{m.savingPerOrderM.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </main>
  );
}
