import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Edge Model Studio',
  description: 'Inspect, convert and optimise ONNX, TFLite and TF.js models in the browser. Nothing is uploaded.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
