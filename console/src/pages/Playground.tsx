/**
 * Playground: GraphiQL against /graphql with the session's key, prefilled with example queries.
 * GraphiQL, its Monaco editor and the editor workers are bundled (graphiql/setup-workers/vite),
 * nothing is loaded from a CDN.
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { GRAPHQL_URL } from '../api.ts';
import { readApiKey } from '../session.ts';

/** The example variables name entities of `npm start`'s demo data. */
export const EXAMPLE_TABS = [
  {
    query: `# Who am I? The key's team and scopes.
query Viewer {
  viewer { team scopes keyPrefix }
}
`,
  },
  {
    query: `# Feature sets and their latest versions.
query FeatureSets {
  featureSets {
    name entityType kind
    latestVersion { version status rowCount publishedAt }
  }
}
`,
  },
  {
    query: `# Online features of items from the latest published version.
query Features($ids: [ID!]!) {
  features(featureSet: "item_synthesized", entityIds: $ids) {
    version { version }
    missing
    rows { entityId status vector }
  }
}
`,
    variables: '{ "ids": ["i0001", "i0002"] }',
  },
  {
    query: `# Top-k recommendations with the group weights that explain them.
query Recommend($user: ID!) {
  recommend(userId: $user, k: 5) {
    candidates
    items { item { id } score groupWeights { group weight } }
  }
}
`,
    variables: '{ "user": "u0001" }',
  },
  {
    query: `# Where a feature set version came from.
query Upstream {
  featureSetVersion(featureSet: "item_synthesized", version: 1) {
    upstream { nodes { kind id depth record } }
  }
}
`,
  },
];

type FetcherParams = { query: string; variables?: Record<string, unknown> | null; operationName?: string | null };

async function fetcher(params: FetcherParams): Promise<unknown> {
  const key = readApiKey();
  const response = await fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(params),
  });
  return response.json();
}

export default function PlaygroundPage() {
  return (
    <section className="playground" data-testid="playground">
      <GraphiQL fetcher={fetcher} defaultTabs={EXAMPLE_TABS} defaultEditorToolsVisibility shouldPersistHeaders={false} />
    </section>
  );
}
