'use client';
import { useController, useStudio } from './StudioContext';

/** The models kept in this browser, newest first: one click reopens one with its variants. */
export function Recent() {
  const controller = useController();
  const recent = useStudio((s) => s.recent);
  const current = useStudio((s) => s.model?.source);
  if (recent.length === 0) return null;
  return (
    <section className="gallery panel" data-testid="recent">
      <div className="gallery-head"><h3>Kept in this browser</h3></div>
      <ul>
        {recent.map((r) => (
          <li key={r.key} className="recent-item">
            <button
              type="button"
              className={`card${current === r.label ? ' current' : ''}`}
              data-testid="recent-card"
              data-variants={r.variants}
              title={`Reopen ${r.label} with its variants and results`}
              onClick={() => void controller.openKept(r.key)}
            >
              <span className="card-title">{r.label}</span>
              <span className="card-source muted">
                {r.variants} variant{r.variants === 1 ? '' : 's'} · {(r.bytes / 1e6).toFixed(1)} MB · {new Date(r.savedAt).toLocaleString()}
              </span>
            </button>
            <button type="button" className="recent-forget" data-testid="recent-forget" title={`Forget ${r.label}: remove its files, variants and results from this browser`} aria-label={`Forget ${r.label}`} onClick={() => void controller.forgetKept(r.key)}>×</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
