import { create } from 'zustand';
import type { ContractError } from '@berth/electron/shared/errors.js';

export interface Toast {
  id: number;
  kind: 'error' | 'success' | 'info';
  title: string;
  message?: string;
  hint?: string;
}

interface ToastState {
  toasts: Toast[];
  push(t: Omit<Toast, 'id'>): void;
  dismiss(id: number): void;
}

let next = 1;

export const useToasts = create<ToastState>((set) => ({
  toasts: [],
  push: (t) => {
    const id = next++;
    set((s) => ({ toasts: [...s.toasts.slice(-4), { ...t, id }] }));
    // Errors stay until dismissed: the user may need to read or copy them.
    if (t.kind !== 'error') setTimeout(() => useToasts.getState().dismiss(id), 5_000);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

export function toastError(title: string, err: unknown): void {
  const e = err as Partial<ContractError> & { message?: string };
  useToasts.getState().push({ kind: 'error', title, message: e.message ?? String(err), ...(e.hint ? { hint: e.hint } : {}) });
}

export function toastSuccess(title: string, message?: string): void {
  useToasts.getState().push({ kind: 'success', title, ...(message ? { message } : {}) });
}
