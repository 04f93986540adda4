'use client';
import { useEffect, useMemo, useState } from 'react';
import { GraphCanvas } from '@/components/graph/GraphCanvas';
import { ErrorBanner } from '@/components/panels/ErrorBanner';
import { SearchBox } from '@/components/panels/SearchBox';
import { SummaryPanel } from '@/components/panels/SummaryPanel';
import { filesFromDrop, filesSource } from './files';
import { loadSamples, sampleSource, urlSource, type Sample } from './samples';
import { StudioProvider, useController, useStudio } from './StudioContext';
import { Toolbar } from './Toolbar';
import { Gallery } from './Gallery';
import { Recent } from './Recent';
import { SidePanel } from './SidePanel';

function GraphPane() {
  const view = useStudio((s) => s.view);
  const selected = useStudio((s) => s.selected);
  const peer = useStudio((s) => s.peer);
  const hits = useStudio((s) => s.hits);
  const conversion = useStudio((s) => s.conversion);
  const variantView = useStudio((s) => s.variantView);
  const split = useStudio((s) => s.split);
  const format = useStudio((s) => s.model?.summary.format);
  const heatVariant = useStudio((s) => s.heatVariant);
  const errors = useStudio((s) => (s.heatVariant ? s.layerErrors[s.heatVariant] : undefined));
  const heat = useMemo(() => (errors ? Object.fromEntries(errors.map((e) => [e.node, e.sqnrDb])) : undefined), [errors]);
  const showConstants = useStudio((s) => s.showConstants);
  const controller = useController();
  if (!view) return <div className="canvas-empty">Drop an ONNX, TFLite or TF.js model anywhere on the page.</div>;
  // After a failed conversion, the ops it could not convert are marked on the original graph.
  const marked = hits.length ? hits.map((h) => h.nodeName) : conversion && !conversion.converted ? conversion.unsupportedNodes : [];
  const constants = view.constantNodes > 0 || (variantView?.view.constantNodes ?? 0) > 0;
  const switchEl = constants ? (
    <label className="graph-switch" title="ONNX Constant nodes and TFLite DEQUANTIZE of a stored weight: drawn as their consumers' weights, or as nodes">
      <input type="checkbox" checked={showConstants} onChange={(e) => void controller.setShowConstants(e.target.checked)} data-testid="show-constants" />
      Constants as nodes ({view.constantNodes || variantView?.view.constantNodes})
    </label>
  ) : null;
  const original = (
    <GraphCanvas
      view={view}
      selected={selected?.kind === 'node' ? (selected.variant ? peer : selected.name) : null}
      highlighted={marked}
      onSelectNode={(name) => void controller.selectNode(name)}
      onToggleGroup={(id) => void controller.toggleGroup(id)}
      onSelectTensor={(name) => void controller.selectTensor(name)}
    />
  );
  if (!split || !variantView) return <>{switchEl}{original}</>;
  return (
    <div className="split">
      {switchEl}
      <div className="pane" data-testid="pane-original">
        <div className="pane-head">Original · {format}</div>
        {original}
      </div>
      <div className="pane" data-testid="pane-converted" data-variant={variantView.variant}>
        <div className="pane-head">{variantView.label}</div>
        <GraphCanvas
          view={variantView.view}
          selected={selected?.kind === 'node' ? (selected.variant === variantView.variant ? selected.name : peer) : null}
          highlighted={[]}
          onSelectNode={(name) => void controller.selectNode(name, variantView.variant)}
          onToggleGroup={(id) => void controller.toggleGroup(id, variantView.variant)}
          {...(heat && heatVariant === variantView.variant ? { heat } : {})}
        />
      </div>
    </div>
  );
}

/** Drag and drop anywhere on the page; folders are walked. */
function useDropAnywhere(onDropFiles: (dt: DataTransfer) => void) {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => { if (e.dataTransfer?.types.includes('Files')) { depth++; setOver(true); } };
    const leave = () => { depth = Math.max(0, depth - 1); if (depth === 0) setOver(false); };
    const overFn = (e: DragEvent) => { e.preventDefault(); };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setOver(false);
      if (e.dataTransfer) onDropFiles(e.dataTransfer);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overFn);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('drop', drop);
    };
  }, [onDropFiles]);
  return over;
}

function Shell() {
  const controller = useController();
  const [samples, setSamples] = useState<Sample[]>([]);
  const loadSeq = useStudio((s) => s.loadSeq);
  const over = useDropAnywhere((dt) => {
    void filesFromDrop(dt).then((files) => {
      if (files.length) void controller.open(filesSource(files));
    });
  });

  useEffect(() => {
    let cancelled = false;
    void loadSamples().then((list) => {
      if (cancelled) return;
      setSamples(list);
      // First open shows the embedded default sample, unless the URL asks for another model.
      const param = new URLSearchParams(window.location.search).get('model');
      const first = list.find((s) => s.default) ?? list[0];
      if (param) void controller.open(urlSource(param));
      // What was open before a reload comes back with its variants; else the default sample.
      else void controller.openKept().then((kept) => { if (!kept && !cancelled && first) void controller.open(sampleSource(first)); });
    });
    return () => { cancelled = true; };
  }, [controller]);

  return (
    <div className="studio" data-load-seq={loadSeq}>
      <Toolbar samples={samples} />
      <ErrorBanner />
      <main className="workspace">
        <aside className="left">
          <SearchBox />
          <SummaryPanel />
          <Recent />
          <Gallery samples={samples} />
        </aside>
        <section className="canvas" data-testid="canvas"><GraphPane /></section>
        <aside className="right"><SidePanel /></aside>
      </main>
      {over && <div className="drop-overlay">Drop to open: ONNX, TFLite, or a TF.js model.json with its weight files</div>}
    </div>
  );
}

export default function Studio() {
  return (
    <StudioProvider>
      <Shell />
    </StudioProvider>
  );
}
