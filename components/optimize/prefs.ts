'use client';
import type { Normalisation } from '@/lib/run/inputs';
import type { CalibrationSpec } from '@/lib/session/optimize';

/** Calibration settings the user chose for a model, kept across visits (localStorage). */
export interface CalibPrefs { normalisation: Normalisation; count: number; source: CalibrationSpec['kind'] }

const key = (model: string) => `ems.calibration.${model}`;

export function loadCalibPrefs(model: string): CalibPrefs | null {
  try {
    const raw = localStorage.getItem(key(model));
    const p = raw ? (JSON.parse(raw) as Partial<CalibPrefs>) : null;
    if (!p || typeof p.count !== 'number' || !p.normalisation || !p.source) return null;
    return p as CalibPrefs;
  } catch {
    return null;
  }
}

export function saveCalibPrefs(model: string, p: CalibPrefs): void {
  try {
    localStorage.setItem(key(model), JSON.stringify(p));
  } catch {
    // Storage full or disabled: the settings just are not remembered.
  }
}
