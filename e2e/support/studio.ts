import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface ManifestEntry {
  id: string;
  files: string[];
  format?: string;
  nodeCount?: number;
  ops?: Record<string, number>;
  inputs?: Array<{ name: string; dtype: string; shape: unknown[] }>;
  outputs?: Array<{ name: string; dtype: string; shape: unknown[] }>;
  error?: { format: string | null; match: string };
  sample?: boolean;
}

export function manifest(): ManifestEntry[] {
  const json = JSON.parse(readFileSync(path.join(ROOT, 'fixtures', 'manifest.json'), 'utf8')) as { models: ManifestEntry[] } | ManifestEntry[];
  return Array.isArray(json) ? json : json.models;
}

export function fixturePath(p: string): string {
  return path.isAbsolute(p) ? p : path.join(ROOT, p);
}

export async function loadSeq(page: Page): Promise<number> {
  return Number(await page.locator('.studio').getAttribute('data-load-seq'));
}

/** Waits until the open that was started after `before` has ended (model shown or error). */
export async function waitForOpen(page: Page, before: number): Promise<void> {
  await expect.poll(() => loadSeq(page), { timeout: 30_000 }).toBeGreaterThan(before);
}

export async function openStudio(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('summary')).toBeVisible({ timeout: 30_000 });
}

/** Opens files through the file picker, as a user would, and waits for the outcome. */
export async function pickFiles(page: Page, files: string[] | Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
  const before = await loadSeq(page);
  await page.getByTestId('file-input').setInputFiles(files as never);
  await waitForOpen(page, before);
}

export async function dismissError(page: Page): Promise<void> {
  const err = page.getByTestId('error');
  if (await err.isVisible()) await err.getByRole('button', { name: 'Dismiss' }).click();
}
