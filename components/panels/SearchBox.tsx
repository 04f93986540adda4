'use client';
import { useEffect, useRef, useState } from 'react';
import { useController, useStudio } from '@/components/studio/StudioContext';

export function SearchBox() {
  const controller = useController();
  const hits = useStudio((s) => s.hits);
  const query = useStudio((s) => s.query);
  const hasModel = useStudio((s) => s.model !== null);
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  // '/' jumps to search from anywhere but a text field, as in most code and graph tools.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      if ((e.target as HTMLElement | null)?.closest?.('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault();
      input.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    const t = setTimeout(() => void controller.search(text), 150);
    return () => clearTimeout(t);
  }, [text, controller]);
  if (!hasModel) return null;
  return (
    <div className="search">
      <input
        ref={input}
        type="search"
        placeholder="Search nodes, ops, tensors  ( / )"
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
