'use client';
import { useStudio } from '@/components/studio/StudioContext';

export function ErrorBanner() {
  const error = useStudio((s) => s.error);
  const setError = useStudio((s) => s.setError);
  if (!error) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error">
      <strong>{error.format ? `Could not open as ${error.format}:` : 'Could not open:'}</strong>{' '}
      <span className="error-message">{error.message}</span>
      <button type="button" onClick={() => setError(null)} aria-label="Dismiss">×</button>
    </div>
  );
}
