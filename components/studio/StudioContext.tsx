'use client';
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { createStudioStore, type StudioState, type StudioStore } from '@/lib/store/studio-store';
import { StudioController } from './controller';

const Ctx = createContext<{ store: StudioStore; controller: StudioController } | null>(null);

/** One store per page, created in a provider as zustand's Next.js guide recommends. */
export function StudioProvider({ children }: { children: ReactNode }) {
  const ref = useRef<{ store: StudioStore; controller: StudioController } | null>(null);
  if (!ref.current) {
    const store = createStudioStore();
    ref.current = { store, controller: new StudioController(store) };
  }
  useEffect(() => {
    const { controller } = ref.current!;
    return () => controller.dispose();
  }, []);
  return <Ctx.Provider value={ref.current}>{children}</Ctx.Provider>;
}

function useCtx() {
  const c = useContext(Ctx);
  if (!c) throw new Error('useStudio must be used inside <StudioProvider>');
  return c;
}

export function useStudio<T>(selector: (s: StudioState) => T): T {
  return useStore(useCtx().store, selector);
}

/** The store itself, for reading a snapshot in an event handler. */
export function useStudioStore(): StudioStore {
  return useCtx().store;
}

export function useController(): StudioController {
  return useCtx().controller;
}
