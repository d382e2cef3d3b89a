/**
 * What the floor's camera should do and what is selected, held outside React and three: panels (search, inspect,
 * alerts) ask the camera to fly somewhere or select a location; the scene's `CameraRig` reads `flySeq` inside its
 * frame loop and animates there; React panels subscribe with `useSyncExternalStore`.
 * Pure TypeScript: no clock, no DOM.
 */

/** `3d` = perspective orbit; `2d` = orthographic top-down. */
export type ViewMode = '3d' | '2d';

/** A request to move the camera's focus to a floor point (metres, floor axes: x across the aisles, y along them). */
export interface FlyRequest {
  readonly x: number;
  readonly y: number;
  /** Increases on every request, so the rig can tell a new request from the one it already served. */
  readonly seq: number;
}

/** Immutable snapshot for React; replaced on every change. */
export interface CameraSnapshot {
  readonly viewMode: ViewMode;
  readonly selectedLocation: string | null;
  /** The latest fly request, or null if none was made. */
  readonly fly: FlyRequest | null;
}

type Listener = () => void;

/** See the module comment. */
export class CameraStore {
  private snapshot: CameraSnapshot = { viewMode: '3d', selectedLocation: null, fly: null };
  private readonly listeners = new Set<Listener>();

  /** Asks the camera to move its focus (orbit target / top-down centre) to floor point (x, y), animated. */
  flyTo(x: number, y: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`flyTo needs finite floor metres, got (${x}, ${y})`);
    const seq = (this.snapshot.fly?.seq ?? 0) + 1;
    this.set({ ...this.snapshot, fly: { x, y, seq } });
  }

  /** Selects a location by id (the bin is highlighted), or clears the selection with null. */
  selectLocation(id: string | null): void {
    if (id === this.snapshot.selectedLocation) return;
    this.set({ ...this.snapshot, selectedLocation: id });
  }

  /** Switches between the perspective and the top-down view; the rig keeps the current focus point. */
  setViewMode(mode: ViewMode): void {
    if (mode === this.snapshot.viewMode) return;
    this.set({ ...this.snapshot, viewMode: mode });
  }

  /** `3d` ↔ `2d` (the `T` key and the toggle button). */
  toggleViewMode(): void {
    this.setViewMode(this.snapshot.viewMode === '3d' ? '2d' : '3d');
  }

  get selectedLocation(): string | null {
    return this.snapshot.selectedLocation;
  }

  get viewMode(): ViewMode {
    return this.snapshot.viewMode;
  }

  /** The latest fly request (null if none); the rig compares `seq` with the one it served. */
  get fly(): FlyRequest | null {
    return this.snapshot.fly;
  }

  /** For `useSyncExternalStore`. */
  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** For `useSyncExternalStore`: the same object until something changes. */
  readonly getSnapshot = (): CameraSnapshot => this.snapshot;

  private set(next: CameraSnapshot): void {
    this.snapshot = next;
    for (const l of this.listeners) l();
  }
}

/** The floor page's one camera store (the floor view is one page, one site). */
export const cameraStore = new CameraStore();
