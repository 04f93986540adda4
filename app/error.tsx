'use client';

/** Last line of defence: a render error shows this, not a blank page. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="boot" role="alert">
      <h2>Something went wrong in the studio</h2>
      <p className="mono">{error.message}</p>
      <p>Your files never left this machine. Try again, or reload the page.</p>
      <button type="button" onClick={() => reset()}>Try again</button>
    </div>
  );
}
