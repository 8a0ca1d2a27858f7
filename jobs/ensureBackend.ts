import type { BackendPreference } from '../config.ts';
import { initBackend, type BackendInfo } from '../ml/backend.ts';

let ready: Promise<BackendInfo> | undefined;

/** Chooses the tfjs backend once per process, on the first job that needs tensors. */
export function ensureBackend(preference: BackendPreference): Promise<BackendInfo> {
  ready ??= initBackend(preference);
  return ready;
}
