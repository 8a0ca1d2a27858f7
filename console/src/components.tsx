/** Small shared pieces: loading and error states, JSON records, dates, numbers. */
import type { ReactNode } from 'react';
import type { ApiError } from './api.ts';

export function Status(props: { loading: boolean; error: ApiError | undefined; children?: ReactNode }) {
  if (props.error) return <p className="error" role="alert">{props.error.code}: {props.error.message}</p>;
  if (props.loading) return <p className="muted">Loading...</p>;
  return <>{props.children}</>;
}

export function JsonView(props: { value: unknown; testId?: string }) {
  return <pre className="json" data-testid={props.testId}>{JSON.stringify(props.value, null, 2)}</pre>;
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '-';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  // Small values (probabilities of rare clicks, drift near 0) keep their significant digits.
  return Math.abs(value) < 0.01 ? value.toPrecision(3) : value.toFixed(digits);
}

export function formatDuration(from: string | null | undefined, to: string | null | undefined): string {
  if (!from) return '-';
  const ms = (to ? new Date(to).getTime() : Date.now()) - new Date(from).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function Badge(props: { status: string }) {
  return <span className={`badge badge-${props.status.toLowerCase()}`}>{props.status}</span>;
}
