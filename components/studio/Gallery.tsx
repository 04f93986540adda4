'use client';
import { useState } from 'react';
import { useController, useStudio } from './StudioContext';
import { sampleSource, type Sample } from './samples';

const FORMAT: Record<string, string> = { onnx: 'ONNX', tflite: 'TFLite', 'tfjs-graph': 'TF.js graph', 'tfjs-layers': 'TF.js layers' };

/** The bundled samples as cards: one click opens one, offline. */
export function Gallery({ samples }: { samples: Sample[] }) {
  const controller = useController();
  const current = useStudio((s) => s.model?.source);
  const [open, setOpen] = useState(true);
  if (samples.length === 0) return null;
  return (
    <section className="gallery panel" data-testid="gallery">
      <button type="button" className="gallery-head" onClick={() => setOpen(!open)} aria-expanded={open}>
        <h3>Samples</h3><span className="muted">{open ? '−' : '+'}</span>
      </button>
      {open && (
        <ul>
          {samples.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className={`card${current === s.title ? ' current' : ''}`}
                data-testid="gallery-card"
                title={s.description}
                onClick={() => void controller.open(sampleSource(s))}
              >
                <span className="card-title">{s.title}</span>
                <span className="tag">{FORMAT[s.format] ?? s.format}</span>
                {s.source && <span className="card-source muted">{s.source}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
