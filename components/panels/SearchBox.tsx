'use client';
import { useEffect, useState } from 'react';
import { useController, useStudio } from '@/components/studio/StudioContext';

export function SearchBox() {
  const controller = useController();
  const hits = useStudio((s) => s.hits);
  const query = useStudio((s) => s.query);
  const hasModel = useStudio((s) => s.model !== null);
  const [text, setText] = useState('');
  useEffect(() => {
    const t = setTimeout(() => void controller.search(text), 150);
    return () => clearTimeout(t);
  }, [text, controller]);
  if (!hasModel) return null;
  return (
    <div className="search">
      <input
        type="search"
        placeholder="Search nodes, ops, tensors"
        value={text}
        onChange={(e) => setText(e.target.value)}
        data-testid="search"
      />
      {query.trim() && (
        <ul className="hits" data-testid="search-hits">
          {hits.length === 0 && <li className="muted">No match</li>}
          {hits.map((h, i) => (
            <li key={`${h.nodeName}-${i}`}>
              <button type="button" onClick={() => void controller.reveal(h)} data-testid="search-hit">
                <span className="mono">{h.op.replace(/^[a-z]+\./, '')}</span> {h.nodeName}
                {h.match === 'tensor' && <span className="muted"> ({h.tensor})</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
