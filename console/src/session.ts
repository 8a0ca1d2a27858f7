/** The API key of this browser tab: entered once, kept in sessionStorage, gone when the tab closes. */
const STORAGE_KEY = 'synthstore.apiKey';

export function readApiKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function saveApiKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function clearApiKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
