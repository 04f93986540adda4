'use client';
import { createContext, useContext } from 'react';

/** Callbacks the custom nodes need; the value is a stable object (see GraphCanvas). */
export interface GraphActions {
  toggleGroup(id: string): void;
}

export const GraphActionsContext = createContext<GraphActions>({ toggleGroup: () => {} });

export const useGraphActions = () => useContext(GraphActionsContext);
