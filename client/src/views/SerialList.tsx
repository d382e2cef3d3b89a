/** The serials scanned so far on a handheld, each removable (one scanned by mistake). Styles: `picker/picker.css`. */
export function SerialList({ serials, onRemove }: { serials: readonly string[]; onRemove: (serial: string) => void }) {
  return (
    <ul className="serial-list" aria-label="Scanned serials" data-testid="serial-list">
      {serials.map((s, i) => (
        <li key={s} className="serial-list__item">
          <span className="serial-list__n" aria-hidden="true">{i + 1}</span>
          <span className="serial-list__serial">{s}</span>
          <button type="button" className="action serial-list__remove" aria-label={`Remove serial ${s}`} onClick={() => onRemove(s)}>Remove</button>
        </li>
      ))}
    </ul>
  );
}
