'use client';
import { useRef, useState, type FormEvent } from 'react';
import { useController, useStudio } from './StudioContext';
import { filesFromInput, filesSource } from './files';
import { sampleSource, urlSource, type Sample } from './samples';

export function Toolbar({ samples }: { samples: Sample[] }) {
  const controller = useController();
  const job = useStudio((s) => s.job);
  const fileRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState('');

  const openFiles = (list: FileList | null) => {
    const files = filesFromInput(list);
    if (files.length) void controller.open(filesSource(files));
  };
  const openUrl = (e: FormEvent) => {
    e.preventDefault();
    const u = url.trim();
    if (u) void controller.open(urlSource(u));
  };

  return (
    <header className="toolbar">
      <div className="brand">Edge Model Studio</div>
      <button type="button" onClick={() => fileRef.current?.click()} data-testid="open-file">Open files…</button>
      <button type="button" onClick={() => folderRef.current?.click()}>Open folder…</button>
      <input
        ref={fileRef}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        onChange={(e) => { openFiles(e.target.files); e.target.value = ''; }}
      />
      <input
        ref={folderRef}
        type="file"
        hidden
        // @ts-expect-error non-standard but universally supported folder picker
        webkitdirectory=""
        onChange={(e) => { openFiles(e.target.files); e.target.value = ''; }}
      />
      <form className="url-form" onSubmit={openUrl}>
        <input
          type="text"
          placeholder="https://…/model.json, .onnx or .tflite"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          aria-label="Model URL"
          data-testid="url-input"
        />
        <button type="submit" data-testid="open-url">Open URL</button>
      </form>
      <select
        aria-label="Sample models"
        data-testid="samples"
        value=""
        onChange={(e) => {
          const s = samples.find((x) => x.id === e.target.value);
          if (s) void controller.open(sampleSource(s));
        }}
      >
        <option value="">Samples…</option>
        {samples.map((s) => (
          <option key={s.id} value={s.id}>{s.title} ({s.format})</option>
        ))}
      </select>
      {job && (
        <div className="job" role="status" data-testid="job">
          <span>{job.label}: {job.phase}</span>
          <progress max={1} value={job.fraction} />
          <button type="button" onClick={() => controller.cancelOpen()} data-testid="cancel">Cancel</button>
        </div>
      )}
    </header>
  );
}
