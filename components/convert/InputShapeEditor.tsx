'use client';
import { useState } from 'react';
import { useController } from '@/components/studio/StudioContext';
import type { Dim } from '@/lib/ir/types';
import { defaultShapeText, parseShape } from './shape-text';

/** Fix a graph input's dims and see the shapes that follow, right on the input's inspector. */
export function InputShapeEditor({ name, shape }: { name: string; shape: Dim[] | null }) {
  const controller = useController();
  const [text, setText] = useState(defaultShapeText(shape));
  const [result, setResult] = useState<string | null>(null);
  const dims = parseShape(text);
  return (
    <div className="shape-editor" data-testid="input-shape-editor">
      <label>
        Fix shape
        <input type="text" value={text} aria-invalid={!dims} onChange={(e) => setText(e.target.value)} data-testid="input-shape" />
      </label>
      <button type="button" disabled={!dims} data-testid="input-shape-apply"
        onClick={() => dims && void controller.previewInputShapes({ [name]: dims }).then(setResult)}>Apply</button>
      {result && <p className="muted small">{result}. The Convert tab uses this shape.</p>}
    </div>
  );
}
