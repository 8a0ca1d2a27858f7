/**
 * The synthstore web console: a login that keeps an API key for the tab's session, then the
 * pages (feature sets, lineage, runs, explain, playground) behind hash routes. Nothing is read
 * from the store before a key is given.
 */
import { lazy, StrictMode, Suspense, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { gql, onSignedOut, toApiError, type ApiError } from './api.ts';
import { FeatureSetsPage } from './pages/FeatureSets.tsx';
import { ExplainPage } from './pages/Explain.tsx';
import { LineagePage } from './pages/Lineage.tsx';
import { RunsPage } from './pages/Runs.tsx';
import { href, useRoute } from './route.ts';
import { clearApiKey, readApiKey, saveApiKey } from './session.ts';
import './style.css';

// GraphiQL and its editor are large: loaded only when the playground is opened.
const PlaygroundPage = lazy(() => import('./pages/Playground.tsx'));

interface Viewer { team: string; scopes: string[]; keyPrefix: string }
const VIEWER = `{ viewer { team scopes keyPrefix } }`;

const PAGES = [
  { page: 'feature-sets', label: 'Feature sets' },
  { page: 'lineage', label: 'Lineage' },
  { page: 'runs', label: 'Runs' },
  { page: 'explain', label: 'Explain' },
  { page: 'playground', label: 'Playground' },
] as const;

function App() {
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [checking, setChecking] = useState(() => readApiKey() !== null);
  useEffect(() => onSignedOut(() => setViewer(null)), []);
  useEffect(() => {
    if (!readApiKey()) return;
    gql<{ viewer: Viewer }>(VIEWER).then((data) => setViewer(data.viewer), () => setViewer(null)).finally(() => setChecking(false));
  }, []);
  if (checking) return <p className="muted centered">Checking the API key...</p>;
  if (!viewer) return <Login onSignedIn={setViewer} />;
  return <Shell viewer={viewer} onSignOut={() => { clearApiKey(); setViewer(null); }} />;
}

function Login(props: { onSignedIn(viewer: Viewer): void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const data = await gql<{ viewer: Viewer }>(VIEWER, {}, key.trim());
      saveApiKey(key.trim());
      props.onSignedIn(data.viewer);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={(event) => void submit(event)} data-testid="login">
        <h1>synthstore console</h1>
        <p>Sign in with an API key (<code>synthstore apikey create</code>; <code>npm start</code> prints one). It is kept for this browser tab only.</p>
        <label>API key <input type="password" name="apiKey" autoComplete="off" value={key} onChange={(event) => setKey(event.target.value)} required autoFocus /></label>
        <button type="submit" disabled={busy || !key.trim()}>Sign in</button>
        {error && <p className="error" role="alert">{error.code === 'UNAUTHENTICATED' ? 'That key is not valid (unknown, malformed or revoked).' : `${error.code}: ${error.message}`}</p>}
      </form>
    </main>
  );
}

function Shell(props: { viewer: Viewer; onSignOut(): void }) {
  const route = useRoute();
  return (
    <div className="shell">
      <header>
        <strong className="brand">synthstore</strong>
        <nav>
          {PAGES.map((p) => <a key={p.page} href={href(p.page)} className={route.page === p.page ? 'active' : ''}>{p.label}</a>)}
        </nav>
        <span className="viewer" data-testid="viewer">{props.viewer.team} · {props.viewer.scopes.join(', ')} · {props.viewer.keyPrefix}</span>
        <button type="button" onClick={props.onSignOut}>Sign out</button>
      </header>
      <main>
        <Page route={route} />
      </main>
    </div>
  );
}

function Page(props: { route: ReturnType<typeof useRoute> }) {
  const { page, args, params } = props.route;
  switch (page) {
    case 'feature-sets': {
      const version = Number(params.get('version'));
      return <FeatureSetsPage key={args[0] ?? ''} name={args[0]} version={Number.isInteger(version) && version > 0 ? version : undefined} />;
    }
    case 'lineage': return <LineagePage params={params} />;
    case 'runs': return <RunsPage key={args.join('/')} args={args} />;
    case 'explain': return <ExplainPage params={params} />;
    case 'playground': return <Suspense fallback={<p className="muted">Loading the playground...</p>}><PlaygroundPage /></Suspense>;
    default: return <p className="error">No page {page}. <a href={href('feature-sets')}>Feature sets</a></p>;
  }
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
