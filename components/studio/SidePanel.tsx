'use client';
import { useState } from 'react';
import { Inspector } from '@/components/panels/Inspector';
import { RunPanel } from '@/components/run/RunPanel';
import { ConvertPanel } from '@/components/convert/ConvertPanel';
import { OptimizePanel } from '@/components/optimize/OptimizePanel';
import { ComparePanel } from '@/components/compare/ComparePanel';
import { useStudio } from './StudioContext';

type Tab = 'inspect' | 'convert' | 'optimize' | 'compare' | 'run';

export function SidePanel() {
  const [tab, setTab] = useState<Tab>('inspect');
  const selected = useStudio((s) => s.selected);
  // Selecting a node in the graph brings the inspector forward.
  const [lastSel, setLastSel] = useState(selected);
  if (selected !== lastSel) {
    setLastSel(selected);
    // ...unless the user is choosing nodes for mixed precision.
    if (selected && tab !== 'optimize' && tab !== 'compare') setTab('inspect');
  }
  return (
    <div className="side">
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'inspect'} onClick={() => setTab('inspect')} data-testid="tab-inspect">Inspect</button>
        <button type="button" role="tab" aria-selected={tab === 'convert'} onClick={() => setTab('convert')} data-testid="tab-convert">Convert</button>
        <button type="button" role="tab" aria-selected={tab === 'optimize'} onClick={() => setTab('optimize')} data-testid="tab-optimize">Optimize</button>
        <button type="button" role="tab" aria-selected={tab === 'compare'} onClick={() => setTab('compare')} data-testid="tab-compare">Compare</button>
        <button type="button" role="tab" aria-selected={tab === 'run'} onClick={() => setTab('run')} data-testid="tab-run">Run</button>
      </div>
      {tab === 'inspect' && <Inspector />}
      {tab === 'convert' && <ConvertPanel onRun={() => setTab('run')} />}
      {tab === 'optimize' && <OptimizePanel onRun={() => setTab('run')} />}
      {tab === 'compare' && <ComparePanel />}
      {tab === 'run' && <RunPanel />}
    </div>
  );
}
